// The gradebook sink at run time. Writing stages: every row becomes the record a PUT will send
// (a row that cannot be one, or a class at a school configured as having no master schedule, is
// a reject and is never sent) and is spooled to a temporary file, so a run that fails before
// publishing sends nothing and a dry run only says what it would send. The outputs of a run into
// one provider publish together: categories, then line items, then results (each points at the
// one before). Publishing PUTs the records by sourcedId, `batch_size` at a time; PUT replaces or
// creates, so a retried request (429, 5xx, a dropped connection) never makes a duplicate. A record
// the provider refuses (4xx) is a reject with its status and message; a refused token or scope
// stops the run.
import { createHash } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunContext, Settings, SinkWriteRequest, StagedWrite } from '@sisflow/core';
import { accessRefused, HttpError, judgeHttp } from '../http/https-request.js';
import { retryPolicy } from '../http/https-settings.js';
import { withRetries } from '../retry.js';
import { CommitGroups } from '../files/commit-group.js';
import { GRADEBOOK, toRecord, type GradebookCollection } from './gradebook.js';
import { TokenSource } from './oauth.js';
import { describeFailure, providerRequest } from './provider-request.js';

interface Spooled {
  line: number;
  sourcedId: string;
  body: Record<string, unknown>;
}

/** One output's staged records. */
interface Staged {
  collection: GradebookCollection;
  spool: string;
  batchSize: number;
  ctx: RunContext;
  changes: { inserted: number; updated: number; deleted: number };
  /** Rows refused while staging, reported when the pass publishes (so the rejects come in a stable order). */
  refused: Refusal[];
}

type Refusal = Parameters<RunContext['reject']>[0];

/** The outputs of one run into one provider: they publish together, in the order records depend on each other. */
interface Pass {
  dir: string;
  connection: Settings;
  staged: Staged[];
}

const ORDER: GradebookCollection[] = ['categories', 'lineItems', 'results'];

const passes = new CommitGroups<Pass>(async (p, commit) => {
  try {
    if (!commit) return;
    const tokens = new TokenSource(p.connection);
    const ordered = ORDER.flatMap((collection) => p.staged.filter((x) => x.collection === collection));
    // Refusals first: a run over its rejects threshold stops here, before anything is sent.
    for (const s of ordered) for (const r of s.refused) s.ctx.reject(r);
    for (const s of ordered) await send(p.connection, tokens, s);
  } finally {
    await rm(p.dir, { recursive: true, force: true });
  }
}, 'another gradebook output to the same provider failed; nothing was sent');

const SHOWN = 3;

export async function writeGradebook(req: SinkWriteRequest, ctx: RunContext): Promise<StagedWrite> {
  const c = req.connection;
  const collection = String(req.settings.collection) as GradebookCollection;
  const { record } = GRADEBOOK[collection];
  const base = providerBase(c);
  // Line items are sent before the results that point at them, whatever the outputs are called.
  const member = passes.join(`${base} ${ctx.startedAt}`, () => ({ dir: mkdtempSync(join(tmpdir(), 'sisflow-gradebook-')), connection: c, staged: [] }));
  const spool = join(member.resource.dir, `${member.resource.staged.length}-${collection}.jsonl`);
  const schedule = new MasterSchedule(c, base, new TokenSource(c), ctx);
  let file: FileHandle | undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  let count = 0;
  let line = 0;
  const refused: Refusal[] = [];
  // A dry run never publishes, so it reports refusals as it finds them.
  const refuse = (r: Refusal) => (req.dryRun ? ctx.reject(r) : refused.push(r));
  try {
    file = await open(spool, 'wx');
    for await (const rows of req.rows) {
      const lines: string[] = [];
      for (const row of rows) {
        line++;
        const made = toRecord(collection, row, base, ctx.startedAt);
        if ('problem' in made) {
          refuse({ line, reason: `${record}: ${made.problem}`, data: row });
          continue;
        }
        const classId = row.classSourcedId;
        if (typeof classId === 'string' && classId !== '') {
          const school = await schedule.schoolWithout(classId);
          if (school) {
            refuse({ line, reason: `${record} ${made.sourcedId}: class ${classId} is at school ${school}, which has no master schedule; the provider takes no grades for it`, data: row });
            continue;
          }
        }
        const text = JSON.stringify(made.body);
        hash.update(`PUT ${collection}/${made.sourcedId} ${text}\n`);
        bytes += Buffer.byteLength(text);
        if (req.dryRun && count < SHOWN) ctx.log(`would PUT ${base}/${collection}/${made.sourcedId} ${text}`);
        count++;
        lines.push(JSON.stringify({ line, sourcedId: made.sourcedId, body: made.body } satisfies Spooled));
      }
      if (lines.length > 0) await file.write(`${lines.join('\n')}\n`);
    }
    await file.close();
    file = undefined;
  } catch (e) {
    await file?.close().catch(() => undefined);
    await member.abort();
    throw e;
  }
  if (req.dryRun) ctx.log(`dry run: ${count} ${record}(s) would be sent to ${base}/${collection} (nothing sent)`);
  const changes = { inserted: 0, updated: 0, deleted: 0 };
  member.resource.staged.push({ collection, spool, batchSize: (req.settings.batch_size as number | undefined) ?? 10, ctx, changes, refused });
  return { result: { rows: count, files: [{ path: `${base}/${collection}`, bytes, sha256: hash.digest('hex') }], changes: { [collection]: changes } }, commit: member.commit, abort: member.abort };
}

function providerBase(c: Settings): string {
  return String(c.base_url).replace(/\/+$/, '');
}

/** PUTs one output's records, `batchSize` at a time, in the order they were written. */
async function send(c: Settings, tokens: TokenSource, s: Staged): Promise<void> {
  const { record } = GRADEBOOK[s.collection];
  const policy = retryPolicy(c, 'oneroster-api retries');
  // Each request in flight listens for cancellation (and its retry wait too): not a leak.
  setMaxListeners(Math.max(getMaxListeners(s.ctx.signal), 2 * s.batchSize + 10), s.ctx.signal);
  const put = async (r: Spooled): Promise<Refusal | undefined> => {
    const url = `${providerBase(c)}/${s.collection}/${encodeURIComponent(r.sourcedId)}`;
    const res = await withRetries(s.ctx, policy, () => providerRequest(url, c, tokens, s.ctx.signal, { method: 'PUT', body: JSON.stringify(r.body) }), judgeHttp);
    if (res.status === 401 || res.status === 403) throw accessRefused(`the OneRoster provider refused to take ${s.collection} (${res.status}); check that the client has the scope \`sisflow plan\` lists (gradebook.createput)`);
    if (res.status >= 400) return { line: r.line, reason: `the provider refused ${record} ${r.sourcedId}: ${res.status} ${describeFailure(res.body)}`, data: JSON.stringify(r.body) };
    if (res.status === 201) s.changes.inserted++;
    else s.changes.updated++;
    return undefined;
  };
  // A batch's requests run together; their refusals are reported in record order.
  const flush = async (batch: Spooled[]) => {
    for (const refusal of await Promise.all(batch.map(put))) if (refusal) s.ctx.reject(refusal);
  };
  let batch: Spooled[] = [];
  for await (const text of createInterface({ input: createReadStream(s.spool, 'utf8'), crlfDelay: Infinity })) {
    if (text === '') continue;
    batch.push(JSON.parse(text) as Spooled);
    if (batch.length >= s.batchSize) {
      await flush(batch);
      batch = [];
    }
  }
  await flush(batch);
}

/**
 * Which classes are at a school the connection names in `schools_without_master_schedule`: each
 * class's school is asked of the provider once (GET classes/{id}) and remembered.
 */
class MasterSchedule {
  private readonly without: Set<string>;
  private readonly schools = new Map<string, string | undefined>();

  constructor(
    private readonly c: Settings,
    private readonly base: string,
    private readonly tokens: TokenSource,
    private readonly ctx: RunContext,
  ) {
    this.without = new Set((c.schools_without_master_schedule as string[] | undefined) ?? []);
  }

  /** The class's school when it has no master schedule; undefined otherwise. */
  async schoolWithout(classId: string): Promise<string | undefined> {
    if (this.without.size === 0) return undefined;
    if (!this.schools.has(classId)) this.schools.set(classId, await this.schoolOf(classId));
    const school = this.schools.get(classId);
    return school !== undefined && this.without.has(school) ? school : undefined;
  }

  private async schoolOf(classId: string): Promise<string | undefined> {
    const url = `${this.base}/classes/${encodeURIComponent(classId)}`;
    const res = await withRetries(this.ctx, retryPolicy(this.c, 'oneroster-api retries'), () => providerRequest(url, this.c, this.tokens, this.ctx.signal), judgeHttp);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw new HttpError(`the OneRoster provider answered ${res.status} for GET ${new URL(url).pathname}, asked to learn the class's school: ${describeFailure(res.body)}`, false);
    const body = JSON.parse(res.body) as { class?: { school?: { sourcedId?: unknown } } };
    const school = body.class?.school?.sourcedId;
    return typeof school === 'string' ? school : undefined;
  }
}
