// The runtime end to end with an in-memory connector: mapping, lookups, unions, dedupe, rules,
// rejects and thresholds, all-or-nothing outputs, cancellation, backpressure, determinism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, ConnectorRegistry, runPlan, type JobPlan, type RunOptions } from '@sisflow/core';
import { consumed, memoryConnector, tables } from './memory-connector.js';

const registry = new ConnectorRegistry().register(memoryConnector);

const SPEC = `sisflow: 1
name: t
params:
  min_grade: { type: int, default: 0 }
connections:
  mem: { use: memory }
sources:
  schools:
    from: mem
    table: schools
    columns: { CD: int, NM: "string?" }
  students:
    from: mem
    table: students
    columns: { ID: int, SC: int, LN: string, GR: int, EM: "string?" }
    where: GR >= $min_grade
  staff:
    from: mem
    table: staff
    columns: { ID: int, LN: string, SC: int }
steps:
  kids:
    from: students
    lookup:
      school: { from: schools, key: CD, on: SC }
    columns:
      Key: text(ID)
      Name: upper(LN)
      School: coalesce(school.NM, 'unknown')
      Email: coalesce(normalize_email(EM), '')
  adults:
    from: staff
    columns:
      Key: "'T' || text(ID)"
      Name: upper(LN)
      School: "'district'"
      Email: "''"
  people:
    union: [kids, adults]
    dedupe: { key: Key, keep: first }
    rules:
      - max_length: { Name: 8 }
      - matches: { Email: '^$|@' }
outputs:
  out: { from: people, to: mem, table: result }
`;

function plan(text = SPEC, params?: Record<string, string>): JobPlan {
  const r = compile(text, 'spec.yaml', { registry, today: '2026-11-23', ...(params ? { params } : {}) });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return r.plan!;
}

/** The start of a spec over the memory connector, up to its sources. */
const memorySpec = (name: string) => `sisflow: 1\nname: ${name}\nconnections:\n  mem: { use: memory }\nsources:`;

const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ registry, baseDir: '.', secrets: { env: () => undefined, secret: () => undefined }, ...extra });

function seed(students = 5) {
  tables.clear();
  tables.set('schools', [{ CD: 1, NM: 'Lincoln' }, { CD: 2, NM: null }]);
  tables.set(
    'students',
    Array.from({ length: students }, (_, i) => ({ ID: i + 1, SC: (i % 3) + 1, LN: i === 3 ? 'Wolfeschlegel' : `ln${i}`, GR: i % 4, EM: i === 1 ? ' A@B.ORG ' : null })),
  );
  tables.set('staff', [{ ID: 9, LN: 'Ng', SC: 1 }, { ID: 9, LN: 'Ng', SC: 2 }]);
}

test('rows flow through lookups, union, dedupe and rules; rejects say why and where', async () => {
  seed();
  const { report } = await runPlan(plan(), opts());
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('result'), [
    { Key: '1', Name: 'LN0', School: 'Lincoln', Email: '' },
    { Key: '2', Name: 'LN1', School: 'unknown', Email: 'a@b.org' },
    { Key: '3', Name: 'LN2', School: 'unknown', Email: '' },
    { Key: '5', Name: 'LN4', School: 'unknown', Email: '' },
    { Key: 'T9', Name: 'NG', School: 'district', Email: '' },
  ]);
  assert.is(report.rejects.count, 1);
  assert.equal({ ...report.rejects.sample[0], data: undefined }, { step: 'people', source: 'students', line: 4, kind: 'invalid', reason: 'Name is 13 characters long; at most 8 allowed', data: undefined });
  assert.is(report.steps.people!.deduplicated, 1);
});

test('a filter on params and a required lookup that misses', async () => {
  seed();
  const required = SPEC.replace('school: { from: schools, key: CD, on: SC }', 'school: { from: schools, key: CD, on: SC, required: true }');
  const { report } = await runPlan(plan(required, { min_grade: '1' }), opts());
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('result')!.map((r) => r.Key), ['2', 'T9']);
  assert.ok(report.rejects.sample.some((r) => r.reason.includes('no schools row where CD = 3')));
});

test('the rejects threshold fails the run and nothing is published', async () => {
  seed();
  tables.set('result', [{ Key: 'previous' }]);
  const strict = SPEC + 'rejects: { max: 0 }\n';
  const { report } = await runPlan(plan(strict), opts());
  assert.not.ok(report.ok);
  assert.match(report.error!, 'more than the spec allows');
  assert.equal(tables.get('result'), [{ Key: 'previous' }]);
  const pct = SPEC + 'rejects: { max: "50%" }\n';
  assert.ok((await runPlan(plan(pct), opts())).report.ok);
});

test('a failed run still publishes its rejects, whatever the other sinks say about stopping', async () => {
  seed();
  tables.delete('bad_rows');
  const spec = SPEC.replace('table: result }', 'table: result, wrap_errors: true }') + 'rejects: { max: 0, to: mem, path: bad_rows }\n';
  const { report } = await runPlan(plan(spec), opts());
  assert.not.ok(report.ok);
  assert.match(report.error!, /^1 row\(s\) rejected, more than the spec allows/);
  assert.is(tables.get('bad_rows')?.length, 1, 'the rejects were published');
});

test('a failing sink fails the run with its message; other outputs are not published', async () => {
  seed(50);
  tables.set('result', [{ Key: 'previous' }]);
  const two = SPEC.replace('  out: { from: people, to: mem, table: result }\n', '  out: { from: people, to: mem, table: result }\n  bad: { from: people, to: mem, table: other, fail_after: 3 }\n');
  const { report } = await runPlan(plan(two), opts({ batchSize: 2 }));
  assert.not.ok(report.ok);
  assert.match(report.error!, 'output bad: the destination went away');
  assert.equal(tables.get('result'), [{ Key: 'previous' }]);
});

test('number: rows are numbered 1, 2, … within each key, in the order they leave the step', async () => {
  seed(7);
  const numbered = SPEC.replace("      - matches: { Email: '^$|@' }\n", "      - matches: { Email: '^$|@' }\n    number: { within: School, as: N }\n");
  const { report } = await runPlan(plan(numbered), opts());
  assert.ok(report.ok, report.error);
  const rows = tables.get('result')!;
  const bySchool = new Map<unknown, unknown[]>();
  for (const r of rows) bySchool.set(r.School, [...(bySchool.get(r.School) ?? []), r.N]);
  for (const ns of bySchool.values()) assert.equal(ns, ns.map((_, i) => i + 1));
  assert.ok([...bySchool.values()].some((ns) => ns.length > 1));
});

test('outputs are committed only once all are staged; a refused commit names what was already published', async () => {
  seed(5);
  tables.set('result', [{ Key: 'previous' }]);
  tables.set('third', [{ Key: 'previous' }]);
  const three = SPEC.replace(
    '  out: { from: people, to: mem, table: result }\n',
    '  out: { from: people, to: mem, table: result }\n  refused: { from: people, to: mem, table: other, fail_commit: true }\n  zlast: { from: people, to: mem, table: third }\n',
  );
  const { report } = await runPlan(plan(three), opts());
  assert.not.ok(report.ok);
  assert.is(report.error, 'output refused could not be published to connection mem: the destination refused the commit (already published: out)');
  assert.equal(tables.get('third'), [{ Key: 'previous' }]);
  assert.equal(Object.keys(report.outputs), ['out']);
});

test('after-success actions run once, and only when everything was published', async () => {
  const consuming = SPEC.replace('    table: staff\n', '    table: staff\n    consume: true\n');
  seed(5);
  consumed.length = 0;
  assert.ok((await runPlan(plan(consuming), opts({ dryRun: true }))).report.ok);
  assert.equal(consumed, []);
  const failing = consuming.replace('table: result }', 'table: result, fail_after: 1 }');
  assert.not.ok((await runPlan(plan(failing), opts())).report.ok);
  assert.equal(consumed, []);
  assert.ok((await runPlan(plan(consuming), opts())).report.ok);
  assert.equal(consumed, ['staff']);
});

test('cancellation stops the run cleanly and publishes nothing', async () => {
  seed(10_000);
  tables.delete('result');
  const controller = new AbortController();
  const slow = SPEC.replace('mem: { use: memory }', 'mem: { use: memory, delay_ms: 5 }');
  setTimeout(() => controller.abort(new Error('SIGINT')), 30);
  const { report } = await runPlan(plan(slow), opts({ signal: controller.signal, batchSize: 10 }));
  assert.not.ok(report.ok);
  assert.ok(report.cancelled);
  assert.is(tables.get('result'), undefined);
});

test('backpressure: a slow sink holds the sources back (bounded read-ahead)', async () => {
  seed(2_000);
  const slow = SPEC.replace('mem: { use: memory }', 'mem: { use: memory, delay_ms: 1 }');
  let maxAhead = 0;
  const origWrite = memoryConnector.sink!.write;
  let consumed = 0;
  memoryConnector.sink!.write = async (req, ctx) => {
    const counting = (async function* () {
      for await (const b of req.rows) {
        consumed += b.length;
        yield b;
      }
    })();
    return origWrite({ ...req, rows: counting }, ctx);
  };
  try {
    const { report } = await runPlan(plan(slow), opts({ batchSize: 10, queueDepth: 2, onProgress: (read) => (maxAhead = Math.max(maxAhead, read - consumed)) }));
    assert.ok(report.ok, report.error);
  } finally {
    memoryConnector.sink!.write = origWrite;
  }
  // Source rows read but not yet written: the queue (2 batches) plus the batches in flight.
  assert.ok(maxAhead <= 60, `read ahead ${maxAhead} rows`);
});

test('empty inputs give an empty output, not an error', async () => {
  tables.clear();
  const { report } = await runPlan(plan(), opts());
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('result'), []);
});

test('a null in a column declared non-null is a reject, not a crash', async () => {
  seed();
  tables.get('students')![0]!.LN = null;
  const { report } = await runPlan(plan(), opts());
  assert.ok(report.ok, report.error);
  assert.ok(report.rejects.sample.some((r) => r.step === 'students' && r.line === 1 && r.reason.includes('LN is null')));
});

test('the same spec, params and data give the same plan hash and the same rows', async () => {
  seed(300);
  const a = plan();
  const b = plan();
  assert.is(JSON.stringify(a), JSON.stringify(b));
  await runPlan(a, opts());
  const first = JSON.stringify(tables.get('result'));
  await runPlan(b, opts({ batchSize: 7 }));
  assert.is(JSON.stringify(tables.get('result')), first, 'batch size does not change the output');
  assert.is.not(plan(SPEC, { min_grade: '2' }).hash, a.hash);
});

test('a dry run computes everything and changes nothing', async () => {
  seed();
  tables.set('result', [{ Key: 'previous' }]);
  const { report } = await runPlan(plan(), opts({ dryRun: true }));
  assert.ok(report.ok);
  assert.is(report.outputs.out!.rows, 5);
  assert.equal(tables.get('result'), [{ Key: 'previous' }]);
});

test('a plan survives JSON and runs the same', async () => {
  seed();
  const p = JSON.parse(JSON.stringify(plan())) as JobPlan;
  const { report } = await runPlan(p, opts());
  assert.ok(report.ok, report.error);
  assert.is(tables.get('result')!.length, 5);
});

test('secrets are resolved at run time and redacted from errors', async () => {
  seed();
  // A connection with a credential whose sink fails with an error that quotes it.
  const vault = {
    ...memoryConnector,
    name: 'vault',
    connection: { type: 'object', additionalProperties: false, properties: { token: { type: 'string' } } },
    secretSettings: ['token'],
    sink: { ...memoryConnector.sink!, write: async (req: { connection: Record<string, unknown> }) => Promise.reject(new Error(`cannot log in with ${String(req.connection.token)}`)) },
  } as typeof memoryConnector;
  const reg = new ConnectorRegistry().register(memoryConnector).register(vault);
  const withSecret = SPEC.replace('  mem: { use: memory }\n', '  mem: { use: memory }\n  v: { use: vault, token: "${secret:TOKEN}" }\n').replace('  out: { from: people, to: mem, table: result }', '  out: { from: people, to: v, table: result }');
  const c = compile(withSecret, 'spec.yaml', { registry: reg });
  assert.ok(c.plan, c.diagnostics.map((d) => d.message).join());
  assert.not.match(JSON.stringify(c.plan), 'hunter2');
  const { report } = await runPlan(c.plan!, opts({ registry: reg, secrets: { env: () => undefined, secret: (n) => (n === 'TOKEN' ? 'hunter2' : undefined) } }));
  assert.not.ok(report.ok);
  assert.not.match(JSON.stringify(report), 'hunter2');
  assert.match(report.error!, 'cannot log in with ***');
  const missing = await runPlan(c.plan!, opts({ registry: reg }));
  assert.match(missing.report.error!, 'SISFLOW_SECRET_TOKEN');
});

test('a readOnce source needed by a lookup and the main pass is read once; others are streamed twice', async () => {
  const reads: string[] = [];
  const counting = (name: string, readOnce: boolean) => ({
    ...memoryConnector,
    name,
    source: {
      ...memoryConnector.source!,
      readOnce,
      read: (req: Parameters<NonNullable<typeof memoryConnector.source>['read']>[0], ctx: Parameters<NonNullable<typeof memoryConnector.source>['read']>[1]) => {
        reads.push(`${name}:${String(req.settings.table)}`);
        return memoryConnector.source!.read(req, ctx);
      },
    },
  });
  const reg = new ConnectorRegistry().register(counting('remote', true), counting('db', false), memoryConnector);
  const text = (use: string) => `sisflow: 1
name: twice
connections:
  src: { use: ${use} }
  mem: { use: memory }
sources:
  students: { from: src, table: students, columns: { ID: int, SC: int, LN: string, GR: int, EM: "string?" } }
steps:
  firsts:
    description: the first student of each school, as a lookup of the same source
    from: students
    columns: { SC: SC, First: LN }
    dedupe: { key: SC, keep: first }
  marked:
    from: students
    lookup:
      first: { from: firsts, key: SC, on: SC }
    columns: { ID: ID, LN: upper(LN), First: first.First }
outputs:
  out: { from: marked, to: mem, table: result }
`;
  for (const [use, expected] of [['remote', 1], ['db', 2]] as const) {
    seed(7);
    reads.length = 0;
    const r = compile(text(use), 'spec.yaml', { registry: reg, today: '2026-11-23' });
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
    const { report } = await runPlan(r.plan!, { ...opts(), registry: reg, batchSize: 3 });
    assert.ok(report.ok, report.error);
    assert.is(reads.length, expected, use);
    assert.is(report.sources.students!.rows, 7, 'rows are counted once');
    const result = tables.get('result')!;
    assert.is(result.length, 7);
    assert.equal(result[3], { ID: 4, LN: 'WOLFESCHLEGEL', First: 'ln0' });
    assert.equal(tables.get('students')![3]!.LN, 'Wolfeschlegel', 'the source rows are untouched');
  }
});

test('lookups on two key columns: whole numbers, number texts, unicode, nulls, missing and duplicate keys; a column read only in where', async () => {
  const text = `${memorySpec('pairs')}
  enrolled: { from: mem, table: enrolled, columns: { SC: "int?", SN: "int?", TAG: "string?" } }
  students: { from: mem, table: students, columns: { SC: "int?", SN: "int?", ID: "int?", NM: "string?", TAG: "string?", GR: "int?" } }
  tagged: { from: mem, table: tagged, columns: { TAG: "string?", SN: "int?", NM: string } }
steps:
  rows:
    from: enrolled
    lookup:
      stu: { from: students, key: [SC, SN], on: [SC, SN] }
      tag: { from: tagged, key: [TAG, SN], on: [TAG, SN] }
    where: stu.GR is null or stu.GR > 0
    columns: { SC: SC, SN: SN, ID: stu.ID, Name: "coalesce(stu.NM, '-')", Tagged: "coalesce(tag.NM, '-')" }
outputs:
  out: { from: rows, to: mem, table: result }
`;
  tables.clear();
  tables.set('students', [
    { SC: 1, SN: 5, ID: 100, NM: 'Zoë 🙂', TAG: 'x', GR: 3 },
    { SC: 1, SN: 5, ID: 999, NM: 'second of a key', TAG: 'x', GR: 3 },
    { SC: 5, SN: 1, ID: 101, NM: 'swapped', TAG: 'x', GR: 3 },
    { SC: 2, SN: 4294967296, ID: 102, NM: 'wide', TAG: 'x', GR: 3 },
    { SC: null, SN: 7, ID: 103, NM: 'null school', TAG: 'x', GR: 3 },
    { SC: 3, SN: 3, ID: 104, NM: 'grade 0', TAG: 'x', GR: 0 },
  ]);
  tables.set('tagged', [{ TAG: 'Ｚ', SN: 5, NM: 'full width' }, { TAG: '1', SN: 5, NM: 'text one' }]);
  tables.set('enrolled', [
    { SC: 1, SN: 5, TAG: 'Ｚ' },
    { SC: 5, SN: 1, TAG: null },
    { SC: 2, SN: 4294967296, TAG: '1' },
    { SC: null, SN: 7, TAG: null },
    { SC: 9, SN: 9, TAG: 'Ｚ' },
    { SC: 3, SN: 3, TAG: null },
  ]);
  const { report } = await runPlan(plan(text), opts({ batchSize: 2 }));
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('result'), [
    { SC: 1, SN: 5, ID: 100, Name: 'Zoë 🙂', Tagged: 'full width' },
    { SC: 5, SN: 1, ID: 101, Name: 'swapped', Tagged: '-' },
    { SC: 2, SN: 4294967296, ID: 102, Name: 'wide', Tagged: '-' },
    { SC: null, SN: 7, ID: 103, Name: 'null school', Tagged: '-' },
    { SC: 9, SN: 9, ID: null, Name: '-', Tagged: '-' },
  ]);
  assert.is(report.steps.rows!.filtered, 1, 'the grade read only in where filtered its row');
  assert.ok(report.warnings.some((w) => w === 'students has 1 row(s) with a SC, SN seen before; lookups use the first'), report.warnings.join('\n'));
  const again = await runPlan(plan(text.replace('on: [SC, SN] }', 'on: [SC, SN], required: true }')), opts());
  assert.ok(again.report.ok, again.report.error);
  assert.ok(again.report.rejects.sample.some((x) => x.reason === 'no students row where SC, SN = [9,9] (lookup `stu` is required)'), JSON.stringify(again.report.rejects.sample));
});

test('a dedupe lets go of its keys once its inputs ended, never before: duplicates from a later source and after a step that holds rows back', async () => {
  const text = `${memorySpec('ends')}
  a: { from: mem, table: a, columns: { K: string } }
  b: { from: mem, table: b, columns: { K: string } }
  c: { from: mem, table: c, columns: { K: string } }
steps:
  ab:
    union: [a, b]
    dedupe: { key: K, keep: first }
  lasts:
    from: a
    dedupe: { key: K, keep: last }
  after_lasts:
    from: lasts
    columns: { K: K }
    dedupe: { key: K, keep: reject }
  cs:
    from: c
    dedupe: { key: K, keep: first }
outputs:
  ab: { from: ab, to: mem, table: ab_out }
  cs: { from: cs, to: mem, table: c_out }
  lasts: { from: after_lasts, to: mem, table: lasts_out }
`;
  tables.clear();
  tables.set('a', [{ K: 'x' }, { K: 'y' }, { K: 'x' }]);
  tables.set('b', [{ K: 'y' }, { K: 'z' }]);
  tables.set('c', [{ K: 'y' }, { K: 'y' }, { K: 'w' }]);
  const { report } = await runPlan(plan(text), opts({ batchSize: 1 }));
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('ab_out')!.map((x) => x.K), ['x', 'y', 'z']);
  assert.equal(tables.get('c_out')!.map((x) => x.K), ['y', 'w']);
  assert.equal(tables.get('lasts_out')!.map((x) => x.K), ['x', 'y']);
  assert.is(report.rejects.count, 0);
});

test('two steps looking up one side on the same key share its table, each finding the columns it reads', async () => {
  const text = `${memorySpec('shared')}
  schools: { from: mem, table: schools, columns: { CD: int, NM: "string?" } }
  students: { from: mem, table: students, columns: { ID: int, SC: int, LN: string, GR: int, EM: "string?" } }
steps:
  named:
    from: students
    lookup:
      s: { from: schools, key: CD, on: SC }
    columns: { ID: ID, School: "coalesce(s.NM, '?')" }
  coded:
    from: students
    lookup:
      s: { from: schools, key: CD, on: SC }
    where: s.CD is not null
    columns: { ID: ID, Code: s.CD }
outputs:
  named: { from: named, to: mem, table: named_out }
  coded: { from: coded, to: mem, table: coded_out }
`;
  seed(4);
  tables.set('schools', [{ CD: 1, NM: 'Lincoln' }, { CD: 2, NM: null }, { CD: 1, NM: 'a second Lincoln' }]);
  const { report } = await runPlan(plan(text), opts());
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('named_out'), [{ ID: 1, School: 'Lincoln' }, { ID: 2, School: '?' }, { ID: 3, School: '?' }, { ID: 4, School: 'Lincoln' }]);
  assert.equal(tables.get('coded_out'), [{ ID: 1, Code: 1 }, { ID: 2, Code: 2 }, { ID: 4, Code: 1 }]);
  assert.equal(report.warnings.filter((w) => w.includes('seen before')), ['schools has 1 row(s) with a CD seen before; lookups use the first'], 'one table, one warning');
});

test('a references rule finds the keys of the step it names; a row whose value has none is rejected', async () => {
  seed(4);
  tables.set('schools', [{ CD: 1, NM: 'Lincoln' }, { CD: 3, NM: null }]);
  const text = SPEC.replace("      - matches: { Email: '^$|@' }\n", "      - matches: { Email: '^$|@' }\n  placed:\n    from: students\n    columns: { ID: ID, SC: SC }\n    rules:\n      - references: { column: SC, step: schools, key: CD }\n").replace('outputs:\n', 'outputs:\n  placed: { from: placed, to: mem, table: placed_out }\n');
  const { report } = await runPlan(plan(text), opts());
  assert.ok(report.ok, report.error);
  assert.equal(tables.get('placed_out'), [{ ID: 1, SC: 1 }, { ID: 3, SC: 3 }, { ID: 4, SC: 1 }]);
  assert.ok(report.rejects.sample.some((r) => r.step === 'placed' && r.reason === 'SC 2 has no match in schools.CD'), JSON.stringify(report.rejects.sample));
});

test.run();
