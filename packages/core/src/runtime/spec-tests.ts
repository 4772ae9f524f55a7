// `tests:` inside a spec: each test compiles the spec with its params, runs it on its `given`
// rows instead of the real sources, and compares what steps and outputs produce with `expect`.
import type { Row } from '../connector/connector.js';
import type { ConnectorRegistry } from '../connector/registry.js';
import { formatDiagnostics } from '../diagnostics/format.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { compile, type CompileResult } from '../plan/compile.js';
import type { TestSpec } from '../spec/spec.js';
import type { JobPlan } from '../plan/plan.js';
import type { RunReport } from './report.js';
import { runPlan, type GivenRows } from './run.js';
import { dirname, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnostic } from '../diagnostics/diagnostic.js';
import { EMPTY_CELL, expectFromFile, GivenFileError, givenFromFile, testFilePath, type CsvRecordReader } from './given-file.js';

export interface SpecTestResult {
  name: string;
  ok: boolean;
  /** What differed, one line each. */
  failures: string[];
}

export interface SpecTestOptions {
  registry: ConnectorRegistry;
  baseDir: string;
  profile?: string;
  /** The date `today` means in tests (default: the clock). */
  today?: string;
  /** Parameters as given on a command line (`--param`); a test's own `params:` win over them. */
  params?: Record<string, string>;
  /** Reads the CSV files tests name (`given: { students: tests/students.csv }`); without it such a test fails with SF753. */
  readCsv?: CsvRecordReader;
}

export async function runSpecTests(text: string | Uint8Array, file: string, options: SpecTestOptions): Promise<{ results: SpecTestResult[]; diagnostics: string; fileDiagnostics?: Diagnostic[] }> {
  const base = compile(text, file, { registry: options.registry, ...(options.profile ? { profile: options.profile } : {}), ...(options.today ? { today: options.today } : {}), ...(options.params ? { params: options.params } : {}) });
  if (!base.plan) return { results: [], diagnostics: formatDiagnostics(base.diagnostics, base.source ? { sources: new Map([[file, base.source]]) } : {}) };
  const results: SpecTestResult[] = [];
  const problems: Diagnostic[] = [];
  for (const t of base.analysis!.spec.tests ?? []) results.push(await runOne(text, file, t, options, base, problems));
  // A test data file with bad cells is reported like a spec error: each at its file, line and column.
  if (problems.length > 0) {
    // A source read twice in a run reports its file's problems twice: once each.
    const once = [...new Map(problems.map((d) => [`${d.code} ${d.span?.file}:${d.span?.start.line}:${d.span?.start.col} ${d.message}`, d])).values()];
    return { results, diagnostics: formatDiagnostics(once, {}), fileDiagnostics: once };
  }
  return { results, diagnostics: '' };
}

async function runOne(text: string | Uint8Array, file: string, t: TestSpec, options: SpecTestOptions, base: CompileResult, problems: Diagnostic[]): Promise<SpecTestResult> {
  // Only a test with its own params needs its own plan.
  const compiled = t.params
    ? compile(text, file, {
        registry: options.registry,
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.today ? { today: options.today } : {}),
        ...(options.params ? { params: Object.fromEntries(Object.entries(options.params).filter(([n]) => !(n in t.params!))) } : {}),
        values: t.params,
      })
    : base;
  if (!compiled.plan || hasErrors(compiled.diagnostics)) {
    return { name: t.name, ok: false, failures: compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`) };
  }
  // Every source reads the test's rows (none when the test gives none), never the real data; rows
  // from a file are streamed, and a file's problems become diagnostics.
  const specDir = dirname(resolve(file));
  const failed = (e: unknown): SpecTestResult => {
    if (e instanceof GivenFileError) problems.push(...e.diagnostics);
    return { name: t.name, ok: false, failures: [e instanceof Error ? e.message : String(e)] };
  };
  const dataFile = (path: string) => {
    if (!options.readCsv) throw new GivenFileError([diagnostic('SF753', `test "${t.name}" reads ${path}, but this program gave sisflow no CSV reader for test files`, { hint: 'pass `readCsv` to runSpecTests (the CLI passes the connectors\' csvFileRecords)' })]);
    return { full: testFilePath(specDir, path), shown: relative(process.cwd(), testFilePath(specDir, path)) || path, read: options.readCsv };
  };
  const given = new Map<string, Row[] | GivenRows>();
  const expected = new Map<string, Record<string, unknown>[]>();
  try {
    for (const s of compiled.plan.steps) {
      if (s.kind !== 'source') continue;
      const g = t.given[s.name] ?? [];
      if (typeof g !== 'string') {
        given.set(s.name, g as Row[]);
        continue;
      }
      const f = dataFile(g);
      // The columns a given row may carry: the source's, or its where's when that tests more.
      const source = compiled.analysis!.sources.get(s.name);
      const schema = (source?.filter && source.description.filterSchema) || compiled.analysis!.schemas.get(s.name) || [];
      // The columns the source reads must be in the file; those only its where tests may be left out.
      const reads = new Set((compiled.analysis!.schemas.get(s.name) ?? []).map((c) => c.name));
      const read = {
        ...(typeof s.settings.date_format === 'string' ? { dateFormat: s.settings.date_format } : {}),
        ...(typeof s.settings.line_column === 'string' ? { lineColumn: s.settings.line_column } : {}),
        optional: new Set(schema.map((c) => c.name).filter((n) => !reads.has(n))),
      };
      given.set(s.name, () => keepProblems(givenFromFile(f.read, f.full, f.shown, schema, `source ${s.name}`, read), problems));
    }
    for (const [name, e] of Object.entries(t.expect)) {
      if (typeof e !== 'string') expected.set(name, e);
      else {
        const f = dataFile(e);
        expected.set(name, await expectFromFile(f.read, f.full, f.shown, compiled.analysis!.schemas.get(compiled.analysis!.spec.outputs[name]?.from ?? name), name));
      }
    }
  } catch (e) {
    return failed(e);
  }
  const { report, captured } = await runPlan(compiled.plan, { registry: options.registry, baseDir: options.baseDir, secrets: { env: () => undefined, secret: () => undefined }, given, capture: new Set(Object.keys(t.expect)), noSinks: true, ignoreThreshold: true });
  const failures: string[] = [];
  if (!report.ok) failures.push(`the run failed: ${report.error}`);
  for (const [name, expectedRows] of expected) {
    const before = failures.length;
    compareRows(name, expectedRows, captured.get(name) ?? [], failures);
    // Rows that vanished: say which source filter or step dropped them, and with which params.
    if (failures.length > before && (captured.get(name) ?? []).length < expectedRows.length) failures.push(...whereRowsWent(compiled.plan, report, given));
  }
  for (const want of t.rejects ?? []) {
    const hits = report.rejects.sample.filter((r) => (!want.step || r.step === want.step) && (!want.reason || r.reason.includes(want.reason)));
    const count = want.count ?? (hits.length > 0 ? hits.length : 1);
    if (hits.length !== count) failures.push(`expected ${count} reject(s)${want.step ? ` from ${want.step}` : ''}${want.reason ? ` saying "${want.reason}"` : ''}, got ${hits.length}${report.rejects.sample.length ? `: ${report.rejects.sample.map((r) => `${r.step}: ${r.reason}`).join('; ')}` : ''}`);
  }
  if (!t.rejects && report.rejects.count > 0) failures.push(`unexpected reject(s): ${report.rejects.sample.map((r) => `${r.step} line ${r.line}: ${r.reason}`).join('; ')}`);
  return { name: t.name, ok: failures.length === 0, failures };
}

function compareRows(name: string, expected: Record<string, unknown>[], actual: Row[], failures: string[]): void {
  if (expected.length !== actual.length) failures.push(`${name}: expected ${expected.length} row(s), got ${actual.length}`);
  expected.forEach((want, i) => {
    const got = actual[i];
    if (!got) return;
    for (const [col, v] of Object.entries(want)) {
      if (!same(got[col], v)) failures.push(`${name} row ${i + 1}, ${col}: expected ${v === EMPTY_CELL ? 'an empty cell' : JSON.stringify(v)}, got ${JSON.stringify(got[col])}`);
    }
  });
}

/** YAML values against typed values: numbers as numbers, everything else by its text. */
function same(actual: unknown, expected: unknown): boolean {
  if (expected === EMPTY_CELL) return actual === null || actual === undefined || actual === '';
  if (actual === null || actual === undefined || expected === null) return (actual ?? null) === expected;
  if (typeof actual === 'number' && typeof expected === 'number') return actual === expected;
  return String(actual) === String(expected);
}

/** Each source and step of the run that let fewer rows out than came in, and why. */
function whereRowsWent(plan: JobPlan, report: RunReport, given: ReadonlyMap<string, Row[] | GivenRows>): string[] {
  const lines: string[] = [];
  const paramsIn = (expr: string) =>
    Object.entries(plan.params)
      .filter(([n]) => new RegExp(`\\$${n}\\b`).test(expr))
      .map(([n, v]) => `$${n} = ${JSON.stringify(v.value)}`)
      .join(', ');
  for (const s of plan.steps) {
    if (s.kind === 'source') {
      const g = given.get(s.name);
      const n = Array.isArray(g) ? g.length : (report.sources[s.name]?.rows ?? 0);
      const kept = n - (report.sources[s.name]?.filtered ?? 0);
      if (kept < n && s.filter) lines.push(`  source ${s.name}: ${n} given, ${kept} kept by its where \`${s.filter.expression}\`${paramsIn(s.filter.expression) ? ` (${paramsIn(s.filter.expression)}; pin the params a test relies on in its \`params:\`)` : ''}`);
      continue;
    }
    const c = report.steps[s.name];
    if (!c || c.out >= c.in) continue;
    const why = [c.filtered ? `${c.filtered} filtered${s.where ? ` by where \`${s.where}\`${paramsIn(s.where) ? ` (${paramsIn(s.where)})` : ''}` : ''}` : '', c.rejected ? `${c.rejected} rejected` : '', c.deduplicated ? `${c.deduplicated} deduplicated` : ''].filter(Boolean);
    lines.push(`  step ${s.name}: ${c.in} in, ${c.out} out${why.length ? ` (${why.join(', ')})` : ''}`);
  }
  return lines.length ? ['where the rows went:', ...lines] : [];
}

/** Passes a file's batches through, keeping its diagnostics when it stops the run. */
async function* keepProblems(rows: ReturnType<GivenRows>, problems: Diagnostic[]): ReturnType<GivenRows> {
  try {
    yield* rows;
  } catch (e) {
    if (e instanceof GivenFileError) problems.push(...e.diagnostics);
    throw e;
  }
}
