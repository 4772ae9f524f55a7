// Executes a job plan: sources stream batches through the compiled steps into the sinks, with
// backpressure from each sink back to the sources. Lookup sides are loaded first (hash joins).
// A run either publishes every output or none: a failure or cancellation makes every sink abort.
import type { HeldSlices, Row, RunContext, Settings, SinkResult, SinkRole, StagedWrite } from '../connector/connector.js';
import type { RowSchema } from '../expr/row-schema.js';
import type { SqlFragment } from '../expr/compile-sql.js';
import type { ConnectorRegistry } from '../connector/registry.js';
import { coerce } from '../check/params.js';
import type { JobPlan } from '../plan/plan.js';
import { connectionLabel, isConnectionFailure } from './connection-failure.js';
import { prepare, type PreparedPlan, type PreparedSource } from './prepare.js';
import { publishFailureText, publishOutputs, PublishFailure, type StagedOutput } from './publish.js';
import { journalWriterAlive, PublishJournal } from './publish-journal.js';
import { BoundedQueue } from './queue.js';
import { REJECT_SCHEMA, rejectData, rejectRow, threshold, type Reject, type RejectKind } from './rejects.js';
import type { RunReport } from './report.js';
import { sendNotifications } from './notify.js';
import { Redactor, resolveSettings, type SecretSource } from './secrets.js';
import { lookupTableId, StepRunner, type Batch, type KeySet } from './step-runner.js';
import { LookupTable, tableKey } from './lookup-table.js';
import { HeldCollector, heldFromSource, NOTHING_UNKNOWN, type HeldRow } from './held.js';
import { columnProblem } from './column-limits.js';
import { emptyInputs } from './empty-inputs.js';

export interface RunOptions {
  registry: ConnectorRegistry;
  /** Folder relative paths in connections resolve against (the spec's folder). */
  baseDir: string;
  secrets: SecretSource;
  signal?: AbortSignal;
  /** Run everything but leave every destination as it was. */
  dryRun?: boolean;
  /** Read at most this many rows from each source. */
  limit?: number;
  /** Rows a source hands on at a time (default BATCH_SIZE). */
  batchSize?: number;
  /** Batches a sink may have waiting before the sources pause (default 2: more only costs memory; measured in bench/). */
  queueDepth?: number;
  /** Rows to use instead of reading these sources (spec tests). */
  given?: ReadonlyMap<string, Row[] | GivenRows>;
  /** Keep the rows of these steps and outputs in memory (spec tests, samples); outputs are then not written. */
  capture?: ReadonlySet<string>;
  /** Keep the first this many rows of each output in the report (`sisflow run --dry-run` shows them). */
  sample?: number;
  /** Run no sinks at all (spec tests). */
  noSinks?: boolean;
  /** The run's clock (default: now); fixing it makes stamped outputs (OneRoster delta) reproducible. */
  now?: Date;
  /** Spec tests check mappings, not volumes: they turn the rejects threshold off. */
  ignoreThreshold?: boolean;
  /**
   * Rows each source read in the last run of this spec (the run history provides them): a source
   * that reads none where the last run read some is named in a warning.
   */
  previousRows?: Readonly<Record<string, number>>;
  /** Every batch of rows going into an output (a guard keeps their keys to compare with the last publish). */
  onOutputRows?(output: string, rows: Row[]): void;
  /**
   * Called once every output is staged, before any is published. 'hold' keeps every stage for
   * approval instead (`report.approval`); the rejects file is still published, after-run actions are not run.
   */
  review?(staged: Record<string, SinkResult>): Promise<'publish' | 'hold'>;
  /** Progress lines (rows so far) for a terminal. */
  onProgress?(rowsRead: number): void;
  log?(line: string): void;
}

export interface RunResult {
  report: RunReport;
  /** Rows of the captured steps and outputs. */
  captured: Map<string, Row[]>;
}

/** A test's rows streamed from a file, already typed like the source's columns; opened anew for each read of the source (a run may read one twice). */
export type GivenRows = () => AsyncIterable<{ rows: Row[]; lines: number[] }>;

class RunFailure extends Error {}
const SAMPLE = 20;

/**
 * Rows a source hands on at a time. The rows of a batch are alive together in the main thread: at
 * 1,000 a scavenge often found a whole batch alive and copied it (the Destiny run over 1 M rows
 * spent 0.6-0.7 s in scavenges and promoted enough for 19 full collections; peak RSS 167-170 MB
 * with its guard); at 500, 159-162 MB and less CPU time in all (measured, bench/ and the closing
 * note of issue 24). Smaller batches cost more per-batch work (hand-offs between threads, async steps).
 */
export const BATCH_SIZE = 500;

export async function runPlan(plan: JobPlan, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const redactor = new Redactor();
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const report: RunReport = {
    name: plan.name,
    planHash: plan.hash,
    ok: false,
    dryRun: !!options.dryRun,
    startedAt: (options.now ?? new Date()).toISOString(),
    durationMs: 0,
    sources: {},
    steps: {},
    outputs: {},
    rejects: { count: 0, bySource: {}, sample: [], files: [] },
    warnings: [],
    held: {},
    events: {},
    notifications: {},
  };
  const captured = new Map<string, Row[]>();
  try {
    await new Execution(plan, options, redactor, controller, report, captured).run();
    report.ok = true;
  } catch (e) {
    report.cancelled = controller.signal.aborted && !(e instanceof RunFailure) && (options.signal?.aborted ?? false);
    report.error = redactor.redact(report.cancelled ? 'the run was cancelled; no output was published' : errorText(e));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    report.durationMs = Math.round(performance.now() - started);
    // Every text of the report, paths and keys included: a secret may have been steered into a setting.
    Object.assign(report, redactor.redactDeep({ ...report }));
  }
  if (!options.noSinks) await sendNotifications(plan, report, options.registry, options.secrets, redactor, options.log);
  return { report, captured };
}

/** Aborts whichever of these writes got staged; the others failed and cleaned up after themselves. */
async function abortAll(writes: (StagedWrite | Promise<StagedWrite>)[]): Promise<void> {
  const settled = await Promise.allSettled(writes);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.abort().catch(() => undefined) : undefined)));
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

class Execution {
  private readonly prepared: PreparedPlan;
  private readonly batchSize: number;
  private readonly consumers = new Map<string, string[]>();
  private readonly tables = new Map<string, LookupTable>();
  private readonly keySets = new Map<string, KeySet>();
  /** Nodes whose rows and rejects were already counted in an earlier pass. */
  private readonly counted = new Set<string>();
  private readonly limit;
  private rowsRead = 0;
  private rejectQueue: BoundedQueue<Row[]> | undefined;
  private pendingRejects: Row[] = [];
  private readonly afterSuccess = new Map<string, () => Promise<void>>();
  /** Batches of `readOnce` sources read while loading lookups, replayed when read again. */
  private readonly kept = new Map<string, Batch[]>();
  private readonly samples = new Map<string, Row[]>();
  /** Held rows that reached each table import (refused on the way, or by its column checks). */
  private readonly arrivals = new Map<string, HeldRow[]>();
  /** Each sliced import's held slices, once every row has been read. */
  private readonly held = new Map<string, HeldCollector>();
  /** `source.column` of declared columns an input did not have (`absent: keep`). */
  private readonly absent = new Set<string>();
  /** Outputs people read (attached to a notification): CSV sinks make them spreadsheet-safe. */
  private readonly forPeople: Set<string>;
  private failing = false;
  /** Staged files of an interrupted publish a dry run leaves for the next run (RunContext.journaled). */
  private readonly journaled = new Set<string>();

  constructor(
    private readonly plan: JobPlan,
    private readonly options: RunOptions,
    private readonly redactor: Redactor,
    private readonly controller: AbortController,
    private readonly report: RunReport,
    private readonly captured: Map<string, Row[]>,
  ) {
    this.prepared = prepare(plan);
    this.batchSize = options.batchSize ?? BATCH_SIZE;
    this.limit = options.ignoreThreshold ? undefined : threshold(plan.rejects.max);
    this.forPeople = new Set(plan.notify.flatMap((n) => n.attach));
    for (const t of this.prepared.transforms.values()) {
      for (const input of t.plan.inputs) this.consumers.set(input, [...(this.consumers.get(input) ?? []), t.plan.name]);
    }
  }

  async run(): Promise<void> {
    // Before any sink starts: a sink cleans up staged files of dead runs, and a journal names some.
    await this.finishInterruptedPublish();
    const rejectsSink = this.startRejectsSink();
    // Once publishing starts it owns every staged write: it commits, aborts or journals each one.
    let publishing = false;
    try {
      await this.loadLookups();
      const sinks = this.startSinks();
      try {
        const terminals = new Map<string, ((b: Batch) => Promise<void>)[]>();
        const addTerminal = (node: string, f: (b: Batch) => Promise<void>) => terminals.set(node, [...(terminals.get(node) ?? []), f]);
        for (const s of sinks) addTerminal(s.from, (b) => this.toSink(s.name, s.queue, b));
        const observe = this.options.onOutputRows;
        if (observe) for (const s of sinks) addTerminal(s.from, async (b) => observe(s.name, b.rows));
        if ((this.options.sample ?? 0) > 0) for (const s of sinks) this.samples.set(s.name, []);
        for (const name of this.options.capture ?? []) {
          const node = this.plan.outputs.find((o) => o.name === name)?.from ?? name;
          const rows: Row[] = [];
          this.captured.set(name, rows);
          addTerminal(node, async (b) => void rows.push(...b.rows));
        }
        await this.pass(terminals);
        // Publishing needs none of the pass's lookup tables or kept rows: let them go before the
        // sinks commit (a bundle's check and zip run in the same heap).
        this.releasePassState();
        if (this.limit?.exceeded(this.report.rejects.count, this.rowsRead, true)) throw this.thresholdFailure();
        this.checkEmptyInputs(sinks.map((s) => s.name));
        this.collectHeld();
        for (const s of sinks) s.queue.close();
        const staged = await Promise.all(sinks.map((s) => s.done));
        // Outputs may reject rows too (a character their encoding lacks).
        if (this.limit?.exceeded(this.report.rejects.count, this.rowsRead, true)) throw this.thresholdFailure();
        // Cancelled while the last output was staging: publish nothing.
        if (this.controller.signal.aborted) throw this.controller.signal.reason ?? new Error('cancelled');
        publishing = true;
        await this.publish(sinks.map((s, i) => ({ name: s.name, use: s.use, connection: s.connection, staged: staged[i]! })), () => this.stageRejects(rejectsSink));
      } catch (e) {
        // The run already failed: the sinks' own errors that follow are not news, and must not
        // cancel the rejects sink, which still publishes why the run failed.
        this.failing = true;
        for (const s of sinks) s.queue.fail(e);
        if (!publishing) await abortAll(sinks.map((s) => s.done));
        throw e;
      }
    } catch (e) {
      if (publishing) throw e;
      // Rejects of a failed run are kept (they say why); a cancelled run publishes nothing.
      if (this.controller.signal.aborted && this.options.signal?.aborted) {
        rejectsSink?.queue.fail(e);
        if (rejectsSink) await abortAll([rejectsSink.done]);
      } else await this.finishRejects(rejectsSink);
      throw e;
    }
    if (!this.options.dryRun && !this.report.approval) await this.runAfterSuccess();
  }

  /**
   * Every output is staged: publish them all, the rejects with them (or abort them all for a dry
   * run), journaled so that a run killed half-way is finished by the next one (publish.ts).
   */
  private async publish(outputs: StagedOutput[], stageRejects: () => Promise<StagedOutput | undefined>): Promise<void> {
    const dry = !!this.options.dryRun;
    if (!dry && this.options.review && (await this.options.review(Object.fromEntries(outputs.map((o) => [o.name, o.staged.result])))) === 'hold') {
      await this.hold(outputs);
      // A held run still publishes its rejects file: it says what was wrong with the run.
      outputs = [];
    }
    const onCommitted = (o: StagedOutput) => {
      if (!outputs.includes(o)) {
        this.report.rejects.files = o.staged.result.files;
        return;
      }
      const sample = this.samples.get(o.name);
      this.report.outputs[o.name] = {
        rows: o.staged.result.rows,
        files: o.staged.result.files,
        committed: !dry,
        ...(o.staged.result.changes ? { changes: o.staged.result.changes } : {}),
        ...(sample ? { sample } : {}),
      };
    };
    try {
      await publishOutputs(outputs, stageRejects, this.journal(), { spec: this.plan.name, startedAt: this.report.startedAt, dryRun: dry, onCommitted, connectionLabel: (c) => connectionLabel(this.plan, c) });
    } catch (e) {
      throw e instanceof PublishFailure ? new RunFailure(e.message) : e;
    }
  }

  private journal(): PublishJournal {
    return new PublishJournal(this.options.baseDir, this.plan.name);
  }

  /**
   * A run of this spec that was killed while publishing left a journal: finish its renames first,
   * so the outputs are its complete set before this run stages anything. A dry run only says so.
   */
  private async finishInterruptedPublish(): Promise<void> {
    if (this.options.noSinks) return;
    const journal = this.journal();
    const record = await journal.read().catch((e: unknown) => {
      throw new RunFailure(errorText(e));
    });
    if (!record) return;
    const outputs = record.entries.map((e) => e.output).join(', ');
    if (journalWriterAlive(record)) throw new RunFailure(`another run of ${this.plan.name} (process ${record.pid}) is publishing ${outputs}; run again once it has finished`);
    if (this.options.dryRun) {
      for (const e of record.entries) for (const m of e.moves) this.journaled.add(m.from);
      this.report.warnings.push(`the run of ${record.startedAt} stopped while publishing ${outputs}; the next run that is not a dry run finishes publishing them first`);
      return;
    }
    for (const entry of record.entries) {
      const sink = this.options.registry.get(entry.use)?.sink;
      const failure = (why: string) =>
        new RunFailure(`the run of ${record.startedAt} stopped while publishing ${outputs}, and finishing it failed: ${why}. Nothing of this run was written; ${journal.path} lists the staged files and their final names`);
      const output = { name: entry.output, connection: entry.connection };
      if (!sink?.finishMoves) throw failure(publishFailureText(output, new Error(`no connector \`${entry.use}\` that can finish publishing`), (c) => connectionLabel(this.plan, c)));
      try {
        await sink.finishMoves(entry.moves, this.connection(entry.connection, `output ${entry.output}`), this.context(entry.output, () => undefined));
      } catch (e) {
        throw failure(publishFailureText(output, e, (c) => connectionLabel(this.plan, c)));
      }
    }
    await journal.clear();
    this.report.warnings.push(`the run of ${record.startedAt} stopped while publishing ${outputs}; this run finished publishing them first`);
    this.options.log?.(`finished publishing ${outputs}, left half-published by the run of ${record.startedAt}`);
  }

  /** Keeps every staged output for approval; an output that cannot be kept fails the run, publishing nothing. */
  private async hold(outputs: { name: string; staged: StagedWrite }[]): Promise<void> {
    const cannot = outputs.find((o) => !o.staged.hold);
    if (cannot) {
      await abortAll(outputs.map((o) => o.staged));
      throw new RunFailure(`the run was to be held for approval, but output ${cannot.name} cannot keep its stage; nothing was published`);
    }
    const held: NonNullable<RunReport['approval']> = {};
    for (const [i, o] of outputs.entries()) {
      try {
        held[o.name] = await o.staged.hold!();
      } catch (e) {
        await abortAll(outputs.slice(i + 1).map((p) => p.staged));
        for (const [name, h] of Object.entries(held)) {
          const out = this.plan.outputs.find((p) => p.name === name)!;
          const ctx = { connection: this.connection(out.connection, `output ${name}`), signal: this.controller.signal, log: () => undefined };
          await this.options.registry.get(out.use)?.sink?.discardHeld?.(h, ctx).catch(() => undefined);
        }
        throw new RunFailure(`output ${o.name} could not be held: ${errorText(e)}; nothing was published`);
      }
      this.report.outputs[o.name] = { rows: o.staged.result.rows, files: o.staged.result.files, committed: false, ...(o.staged.result.changes ? { changes: o.staged.result.changes } : {}) };
    }
    this.report.approval = held;
  }

  private async runAfterSuccess(): Promise<void> {
    for (const [key, action] of this.afterSuccess) {
      try {
        await action();
      } catch (e) {
        this.report.warnings.push(`after the run, ${key} failed: ${errorText(e)}`);
      }
    }
  }

  /** Loads every lookup side and `references` target into memory, in plan order. */
  private async loadLookups(): Promise<void> {
    // Each side keeps only the columns its consumers read (`reads`): a lookup of students for 1.6 M
    // section enrollments holds ids, not whole student rows; steps that look a side up on the
    // same key columns share one table.
    const wanted = new Map<string, { tables: string[][]; keys: string[]; reads: Set<string> }>();
    const want = (node: string) => wanted.get(node) ?? wanted.set(node, { tables: [], keys: [], reads: new Set() }).get(node)!;
    for (const t of this.prepared.transforms.values()) {
      for (const [i, l] of t.lookups.entries()) {
        const w = want(l.from);
        if (!w.tables.some((k) => lookupTableId(l.from, k) === lookupTableId(l.from, l.key))) w.tables.push(l.key);
        for (const c of t.plan.lookups[i]?.columns ?? this.prepared.schemas.get(l.from)!.map((s) => s.name)) w.reads.add(c);
      }
      for (const r of t.rules) {
        if (r.kind !== 'references') continue;
        want(r.step).keys.push(r.key);
      }
    }
    for (const step of this.plan.steps) {
      const w = wanted.get(step.name);
      if (!w) continue;
      // Filled as the rows arrive: a side's rows are never all held at once, only what is kept of them.
      const tables = w.tables.map((key) => ({ key, table: new LookupTable([...w.reads]), duplicates: 0 }));
      const keySets = w.keys.map((key) => ({ key, set: new Set<unknown>() }));
      const add = async (b: Batch) => {
        for (const row of b.rows) {
          for (const t of tables) if (!t.table.add(tableKey(t.key.map((c) => row[c])), row)) t.duplicates++;
          for (const k of keySets) k.set.add(row[k.key]);
        }
      };
      await this.pass(new Map([[step.name, [add]]]), true);
      for (const { key, table, duplicates } of tables) {
        if (duplicates > 0) this.report.warnings.push(`${step.name} has ${duplicates} row(s) with a ${key.join(', ')} seen before; lookups use the first`);
        this.tables.set(lookupTableId(step.name, key), table);
      }
      for (const { key, set } of keySets) this.keySets.set(`${step.name}.${key}`, set);
    }
  }

  private releasePassState(): void {
    this.tables.clear();
    this.keySets.clear();
    this.kept.clear();
  }

  /**
   * Streams every source the terminals depend on through the steps between them. A lookup pass
   * keeps the rows of `readOnce` sources for the passes after it.
   */
  private async pass(terminals: Map<string, ((b: Batch) => Promise<void>)[]>, lookup = false): Promise<void> {
    const active = this.ancestors([...terminals.keys()]);
    const runners = new Map<string, StepRunner>();
    for (const name of active) {
      const t = this.prepared.transforms.get(name);
      if (t) runners.set(name, new StepRunner(t, this.tables, this.keySets, (r) => this.addReject(r, name)));
    }
    const deliver = async (node: string, batch: Batch): Promise<void> => {
      for (const f of terminals.get(node) ?? []) await f(batch);
      for (const c of this.consumers.get(node) ?? []) {
        const runner = runners.get(c);
        if (!runner) continue;
        const out = runner.process(batch);
        if (out.rows.length > 0 || out.held) await deliver(c, out);
      }
    };
    const aborted = () => {
      if (this.controller.signal.aborted) throw this.controller.signal.reason ?? new Error('cancelled');
    };
    const order = this.sourceOrder([...terminals.keys()]);
    const ended = this.inputsEnded(runners, order);
    for (const [i, name] of order.entries()) {
      for await (const batch of this.batchesOf(name, lookup)) {
        aborted();
        if (batch.rows.length > 0 || batch.held) await deliver(name, batch);
        await this.flushRejects();
      }
      aborted();
      for (const step of ended[i]!) runners.get(step)!.inputsEnded();
    }
    // Steps that hold rows back (dedupe keep: last) release them once all their inputs ended.
    for (const step of this.plan.steps) {
      const runner = runners.get(step.name);
      if (runner) {
        for (const b of runner.finish(this.batchSize)) {
          aborted();
          await deliver(step.name, b);
        }
      }
    }
    aborted();
    for (const [name, r] of runners) if (!this.counted.has(name)) this.report.steps[name] = r.counts;
    for (const name of active) this.counted.add(name);
  }

  /**
   * For each source in `order`, the steps that get no more rows once it has been read: every source
   * they read from was read before, and no step before them holds rows back until the pass ends.
   * What only arriving rows need (the keys a dedupe has seen) is let go there, not at the pass's
   * end: a users step's keys need not live on while 1.6 M enrollments stream past.
   */
  private inputsEnded(runners: ReadonlyMap<string, StepRunner>, order: string[]): string[][] {
    const at = new Map(order.map((s, i) => [s, i]));
    const ended: string[][] = order.map(() => []);
    for (const [name, runner] of runners) {
      const upstream = [...this.ancestors([name])].filter((n) => n !== name);
      if (upstream.some((n) => runners.get(n)?.holdsRows)) continue;
      const sources = upstream.filter((n) => this.prepared.sources.has(n));
      if (sources.length === 0 || sources.some((n) => !at.has(n))) continue;
      ended[Math.max(...sources.map((n) => at.get(n)!))]!.push(name);
    }
    return ended;
  }

  /** Sources in the order their rows should arrive: a union's inputs one after another, as listed. */
  private sourceOrder(nodes: string[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (n: string) => {
      if (seen.has(n)) return;
      seen.add(n);
      if (this.prepared.sources.has(n)) out.push(n);
      for (const i of this.prepared.transforms.get(n)?.plan.inputs ?? []) visit(i);
    };
    nodes.forEach(visit);
    return out;
  }

  private ancestors(nodes: string[]): Set<string> {
    const out = new Set<string>();
    const visit = (n: string) => {
      if (out.has(n)) return;
      out.add(n);
      for (const i of this.prepared.transforms.get(n)?.plan.inputs ?? []) visit(i);
    };
    nodes.forEach(visit);
    return out;
  }

  /**
   * A source's batches: read from its connector, or replayed from the first read for a `readOnce`
   * source the lookups already read (copies, so a step that changes rows cannot change a replay).
   */
  private async *batchesOf(name: string, lookup: boolean): AsyncIterable<Batch> {
    const kept = this.kept.get(name);
    if (kept) {
      for (const b of kept) yield { ...b, rows: b.rows.map((r) => ({ ...r })) };
      return;
    }
    const src = this.prepared.sources.get(name)!;
    const keep: Batch[] | undefined = lookup && !this.options.given?.has(name) && this.options.registry.get(src.plan.use)?.source?.readOnce ? [] : undefined;
    for await (const b of this.readSource(src)) {
      keep?.push({ ...b, rows: b.rows.map((r) => ({ ...r })) });
      yield b;
    }
    if (keep) this.kept.set(name, keep);
  }

  private async *readSource(src: PreparedSource): AsyncIterable<Batch> {
    const name = src.plan.name;
    const first = !this.counted.has(name);
    const stats = (this.report.sources[name] ??= { rows: 0, rejected: 0 });
    const columns = this.prepared.schemas.get(name)!.map((c) => c.name);
    // Refused lines travel on as held rows (every pass: the rows they belong to are read again).
    let held: HeldRow[] = [];
    const reject = (line: number, reason: string, data?: Row | string, kind: RejectKind = 'unreadable', fields?: Row) => {
      held.push(heldFromSource(columns, fields, kind === 'unreadable' ? undefined : (data as Row), name, line, reason));
      if (!first) return;
      stats.rejected++;
      // An unreadable line was read all the same: it counts among the rows a percentage is of.
      if (kind === 'unreadable') this.rowsRead++;
      this.addReject({ step: name, source: name, line, kind, reason, data: rejectData(data) }, name);
    };
    const takeHeld = () => {
      if (held.length === 0) return {};
      const out = { held };
      held = [];
      return out;
    };
    let line = 0;
    const given = this.options.given?.get(name);
    const batches = given ? this.givenBatches(src, given) : this.connectorBatches(src, reject);
    for await (const b of batches) {
      const rows: Row[] = [];
      const lines: number[] = [];
      for (let i = 0; i < b.rows.length; i++) {
        const row = b.rows[i]!;
        const n = b.lines?.[i] ?? ++line;
        const missing = src.required.find((c) => row[c] === null || row[c] === undefined);
        if (missing) {
          reject(n, `${missing} is null, but ${name} declares it always has a value`, row, 'invalid');
          continue;
        }
        if (given ? src.where && src.where(row) !== true : src.residual && !src.residual(row)) {
          if (first) stats.filtered = (stats.filtered ?? 0) + 1;
          continue;
        }
        rows.push(given ? this.project(row, name) : row);
        lines.push(n);
      }
      if (first) {
        stats.rows += b.rows.length;
        this.rowsRead += b.rows.length;
        this.options.onProgress?.(this.rowsRead);
      }
      yield { rows, lines, source: name, ...takeHeld() };
    }
    if (held.length > 0) yield { rows: [], lines: [], source: name, ...takeHeld() };
  }

  private project(row: Row, source: string): Row {
    const out: Row = {};
    for (const c of this.prepared.schemas.get(source)!) out[c.name] = row[c.name];
    return out;
  }

  private async *givenBatches(src: PreparedSource, rows: Row[] | GivenRows): AsyncIterable<{ rows: Row[]; lines?: number[] }> {
    // Rows from a test's file come typed, batch by batch.
    if (!Array.isArray(rows)) return yield* rows();
    const schema = src.givenSchema;
    const typed = rows.map((r, i) => {
      const out: Row = {};
      for (const c of schema) {
        const v = r[c.name];
        if (v === undefined) {
          out[c.name] = c.type.nullable ? null : c.type.kind === 'string' ? '' : c.type.kind === 'bool' ? false : c.type.kind === 'list' ? [] : null;
          continue;
        }
        const k = coerce(v, c.type);
        if (!k.ok) throw new RunFailure(`given row ${i + 1} of ${src.plan.name}: ${c.name}: ${k.why}`);
        out[c.name] = k.value;
      }
      return out;
    });
    yield { rows: typed };
  }

  private connectorBatches(src: PreparedSource, reject: (line: number, reason: string, data?: Row | string, kind?: RejectKind, fields?: Row) => void) {
    const step = src.plan;
    const connector = this.options.registry.get(step.use);
    if (!connector?.source) throw new RunFailure(`no connector \`${step.use}\` that can read (source ${step.name})`);
    const connection = this.connection(step.connection, `source ${step.name}`);
    return this.labelErrors(`source ${step.name}`, step.connection, connector.source.read(
      {
        connection,
        settings: resolveSettings(step.settings, this.options.secrets, this.redactor, `source \`${step.name}\``),
        schema: this.prepared.schemas.get(step.name)!,
        ...(step.filter?.pushdown ? { filter: { sql: step.filter.pushdown.sql, parameters: step.filter.pushdown.parameters, ...(step.filter.pushdown.types ? { types: step.filter.pushdown.types as SqlFragment['types'] } : {}) } } : {}),
        batchSize: this.batchSize,
        ...(this.options.limit !== undefined ? { limit: this.options.limit } : {}),
      },
      this.context(step.name, (r) => reject(r.line, r.reason, r.data, 'unreadable', r.fields)),
    ));
  }

  private async *labelErrors<T>(label: string, connection: string, it: AsyncIterable<T>): AsyncIterable<T> {
    try {
      yield* it;
    } catch (e) {
      throw this.labelled(e, label, connection);
    }
  }

  /**
   * A connector's error, prefixed with the source or output it happened in; a failure of the
   * connection itself (marked by its connector) with the connection and everything that uses it.
   */
  private labelled(e: unknown, label: string, connection?: string): unknown {
    if (e instanceof RunFailure || this.controller.signal.aborted) return e;
    if (connection !== undefined && isConnectionFailure(e)) return new RunFailure(`${connectionLabel(this.plan, connection)}: ${errorText(e)}`);
    return new RunFailure(`${label}: ${errorText(e)}`);
  }

  private startSinks() {
    if (this.options.noSinks) return [];
    return this.plan.outputs
      .filter((o) => !this.options.capture?.has(o.name))
      .map((o) => {
        const connector = this.options.registry.get(o.use);
        if (!connector?.sink) throw new RunFailure(`no connector \`${o.use}\` that can write (output ${o.name})`);
        const queue = new BoundedQueue<Row[]>(this.options.queueDepth ?? 2);
        const settings = resolveSettings(o.settings, this.options.secrets, this.redactor, `output \`${o.name}\``);
        const held = o.table?.slice ? () => this.held.get(o.name)!.held() : undefined;
        const untouched = () => Object.entries(o.lineage).filter(([, from]) => from.some((f) => this.absent.has(f))).map(([c]) => c);
        const done = this.startWrite(connector.sink, queue, this.connection(o.connection, `output ${o.name}`), settings, this.prepared.schemas.get(o.from)!, o.name, {
          connectionName: o.connection,
          untouched,
          forPeople: this.forPeople.has(o.name),
          reject: (r) => this.sinkReject(o.name, r),
          ...(held ? { held } : {}),
        });
        return { name: o.name, from: o.from, use: o.use, connection: o.connection, queue, done };
      });
  }

  private startWrite(sink: SinkRole, queue: BoundedQueue<Row[]>, connection: Settings, settings: Settings, schema: RowSchema, name: string, o: { connectionName?: string; untouched?: () => string[]; forPeople?: boolean; reject?: RunContext['reject']; held?: () => HeldSlices } = {}): Promise<StagedWrite> {
    const request = { connection, settings, schema, rows: queue, dryRun: !!this.options.dryRun, untouched: o.untouched ?? (() => []), forPeople: o.forPeople ?? false, ...(o.held ? { held: o.held } : {}) };
    const done = Promise.resolve()
      .then(() => sink.write(request, this.context(name, o.reject ?? (() => undefined))))
      .catch((e: unknown) => {
        throw this.labelled(e, `output ${name}`, o.connectionName);
      });
    done.catch((e: unknown) => {
      queue.fail(e);
      if (!this.failing) this.controller.abort(e);
    });
    return done;
  }

  /**
   * Rows on their way into an output. A table import first checks every value against what its
   * destination column accepts (the same check whatever the database): a row that does not fit is
   * refused with the column named, and held like any refused row.
   */
  private async toSink(output: string, queue: BoundedQueue<Row[]>, b: Batch): Promise<void> {
    const table = this.plan.outputs.find((o) => o.name === output)!.table;
    let rows = b.rows;
    if (table) {
      const arrived = this.arrivals.get(output) ?? this.arrivals.set(output, []).get(output)!;
      if (b.held) arrived.push(...b.held);
      rows = [];
      b.rows.forEach((row, i) => {
        const problem = columnProblem(table.columns, row);
        if (!problem) return void rows.push(row);
        const line = b.lines[i]!;
        arrived.push({ row, unknown: NOTHING_UNKNOWN, source: b.source, line, reason: problem });
        this.addReject({ step: output, source: b.source, line, kind: 'invalid', reason: problem, data: rejectData(row) }, output);
      });
    }
    if (rows.length === 0) return;
    const sample = this.samples.get(output);
    if (sample) for (const row of rows) if (sample.length < this.options.sample!) sample.push(row);
    await queue.push(rows);
  }

  /** Every row was read: each sliced import's held slices, from what reached it and its `hold_with` imports. */
  private collectHeld(): void {
    for (const o of this.plan.outputs) {
      const slice = o.table?.slice;
      if (!slice) continue;
      const collector = new HeldCollector(slice);
      for (const from of [o.name, ...o.table!.holdWith]) for (const h of this.arrivals.get(from) ?? []) collector.add(h);
      this.held.set(o.name, collector);
      if (!collector.empty) this.report.held[o.name] = collector.report();
    }
  }

  /** An import fed by an empty source fails (unless the source allows it); a source that emptied since the last run is named. */
  private checkEmptyInputs(running: string[]): void {
    const imports = this.plan.outputs.filter((o) => o.table && running.includes(o.name));
    const found = emptyInputs(this.plan, this.report.sources, imports, (n) => this.ancestors([n]), this.options.previousRows);
    this.report.warnings.push(...found.warnings);
    if (found.failure) throw new RunFailure(found.failure);
  }

  private startRejectsSink() {
    const r = this.plan.rejects;
    if (!r.to || this.options.noSinks) return undefined;
    const conn = this.plan.connections[r.to];
    const connector = conn && this.options.registry.get(conn.use);
    if (!conn || !connector?.sink) throw new RunFailure(`rejects go to \`${r.to}\`, which cannot be written to`);
    const queue = new BoundedQueue<Row[]>(64);
    const settings = { path: r.path ?? `${this.plan.name}.rejects.csv`, ...(r.spreadsheet_safe === false ? { spreadsheet_safe: false } : {}) };
    const done = this.startWrite(connector.sink, queue, this.connection(r.to, 'rejects'), settings, REJECT_SCHEMA, 'rejects', { connectionName: r.to, forPeople: true });
    this.rejectQueue = queue;
    return { queue, done };
  }

  /** Hands buffered rejects to their sink a batch at a time, waiting when it is behind. */
  private async flushRejects(): Promise<void> {
    if (!this.rejectQueue || this.pendingRejects.length < this.batchSize) return;
    const batch = this.pendingRejects;
    this.pendingRejects = [];
    await this.rejectQueue.push(batch);
  }

  /** Hands the last rejects to their sink and waits until they are staged. */
  private async stageRejects(sink: { queue: BoundedQueue<Row[]>; done: Promise<StagedWrite> } | undefined): Promise<StagedOutput | undefined> {
    if (!sink) return undefined;
    if (this.pendingRejects.length > 0) await sink.queue.push(this.pendingRejects);
    this.pendingRejects = [];
    sink.queue.close();
    const to = this.plan.rejects.to!;
    return { name: 'rejects', use: this.plan.connections[to]!.use, connection: to, staged: await sink.done };
  }

  /** The rejects of a failed run: published alone, since they say why it failed (but not by a dry run). */
  private async finishRejects(sink: { queue: BoundedQueue<Row[]>; done: Promise<StagedWrite> } | undefined): Promise<void> {
    const rejects = await this.stageRejects(sink);
    if (!rejects) return;
    if (this.options.dryRun) await rejects.staged.abort();
    else await rejects.staged.commit();
    this.report.rejects.files = rejects.staged.result.files;
  }

  /**
   * A record an output's destination refused (an API's 4xx), or a row it cannot write (a character
   * its file's encoding lacks): `line` is its place among the rows the output received.
   */
  private sinkReject(output: string, r: Parameters<RunContext['reject']>[0]): void {
    this.addReject({ step: output, source: output, line: r.line, kind: r.kind ?? 'refused', reason: r.reason, data: rejectData(r.data) }, `output ${output}`);
  }

  private addReject(r: Reject, node: string): void {
    if (this.counted.has(node)) return;
    this.report.rejects.count++;
    const bySource = (this.report.rejects.bySource[r.source] ??= {});
    bySource[r.kind] = (bySource[r.kind] ?? 0) + 1;
    if (this.report.rejects.sample.length < SAMPLE) this.report.rejects.sample.push({ ...r });
    if (this.rejectQueue) this.pendingRejects.push(rejectRow(r));
    if (this.limit?.exceeded(this.report.rejects.count, this.rowsRead, false)) throw this.thresholdFailure();
  }

  private thresholdFailure(): RunFailure {
    return new RunFailure(`${this.report.rejects.count} row(s) rejected, more than the spec allows (rejects.max: ${this.limit!.text}); nothing was published`);
  }

  private connection(name: string, where: string): Settings {
    const c = this.plan.connections[name];
    if (!c) throw new RunFailure(`${where} uses connection \`${name}\`, which the plan does not have`);
    return resolveSettings(c.settings, this.options.secrets, this.redactor, `connection \`${name}\``);
  }

  private context(name: string, reject: RunContext['reject']): RunContext {
    return {
      signal: this.controller.signal,
      baseDir: this.options.baseDir,
      startedAt: this.report.startedAt,
      log: (m) => this.options.log?.(this.redactor.redact(`${name}: ${m}`)),
      warn: (m) => this.report.warnings.push(`${name}: ${m}`),
      reject,
      absent: (column) => void this.absent.add(`${name}.${column}`),
      count: (event, n = 1) => (this.report.events[event] = (this.report.events[event] ?? 0) + n),
      afterSuccess: (key, action) => {
        if (!this.afterSuccess.has(key)) this.afterSuccess.set(key, action);
      },
      journaled: this.journaled,
    };
  }
}

