// Every bad spec gets the right code at the right line and column, with a message and a hint
// where one helps, and never an internal error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDiagnostics, CODES } from '@sisflow/core';
import { BAD_SPECS, CASE_OPTIONS as OPTIONS } from './bad-specs.cases.js';
import { BASE, codes, compileText } from './helpers.js';


test('the base spec is valid', () => {
  const r = compileText(BASE);
  assert.equal(r.diagnostics, []);
  assert.ok(r.plan);
});

for (const [name, text, expected] of BAD_SPECS) {
  test(`bad spec: ${name} → ${expected}`, () => {
    const found = codes(text, OPTIONS[name] ?? {});
    assert.ok(found.includes(expected), `expected ${expected}, got ${found.join(' ') || 'nothing'}`);
    const r = compileText(text, OPTIONS[name] ?? {});
    assert.not.ok(found.some((c) => c.startsWith('SF900')), 'no internal errors');
    for (const d of r.diagnostics) {
      assert.ok(d.message.length > 5, `${d.code} has a message`);
      assert.ok(d.code in CODES, `${d.code} is in the catalog`);
    }
    if (r.diagnostics.some((d) => d.severity === 'error')) assert.is(r.plan, undefined, 'no plan from a spec with errors');
  });
}

test('diagnostics come sorted by position and printed with a caret under the span', () => {
  const text = BASE.replace('Grade: grade_label(GR)', 'Grade: grade_lable(GR)').replace("Name: LN || ', ' || FN", "Name: LNN || ', ' || FN");
  const r = compileText(text);
  assert.equal(r.diagnostics.map((d) => d.code), ['SF302', 'SF303']);
  const printed = formatDiagnostics(r.diagnostics, { sources: new Map([['spec.yaml', r.source!]]) });
  assert.match(printed, "spec.yaml:18:13: error SF302: unknown column `LNN`");
  assert.match(printed, 'did you mean `LN`?');
  const lines = printed.split('\n');
  const frame = lines.findIndex((l) => l.includes("Name: LNN || ', ' || FN"));
  assert.ok(frame > 0, 'a code frame');
  const caret = lines[frame + 1]!;
  assert.is(caret.indexOf('^'), lines[frame]!.indexOf('LNN'), 'the caret sits under LNN');
  assert.match(printed, 'did you mean `grade_label`?');
});

test('several syntax errors in one expression are reported in one pass', () => {
  const r = compileText(BASE.replace('where: SC in $schools', 'where: SC in (1, 2 and = 3 or )'));
  assert.ok(r.diagnostics.filter((d) => d.code === 'SF301').length >= 1);
  const many = compileText(BASE.replace("Name: LN || ', ' || FN", 'Name: LN ||').replace('Grade: grade_label(GR)', 'Grade: grade_label(GR'));
  assert.is(many.diagnostics.filter((d) => d.code === 'SF301').length, 2, 'both broken columns are reported');
});

test('a hint for text in double quotes', () => {
  const r = compileText(BASE.replace("Name: LN || ', ' || FN", 'Name: if(LN = "Smith", 1, 2)'));
  const d = r.diagnostics.find((x) => x.code === 'SF302');
  assert.ok(d?.hint?.includes("single quotes"), d?.hint);
});

test('the caret lands inside folded, block and quoted scalars', () => {
  const folded = compileText(BASE.replace("      Name: LN || ', ' || FN\n", "      Name: >-\n        LN ||\n        ', ' || FNN\n"));
  const d1 = folded.diagnostics.find((d) => d.code === 'SF302')!;
  assert.equal([d1.span!.start.line, d1.span!.start.col], [20, 17]);
  const quoted = compileText(BASE.replace("      Name: LN || ', ' || FN\n", "      Name: 'LN || '', '' || FNN'\n"));
  const d2 = quoted.diagnostics.find((d) => d.code === 'SF302')!;
  assert.equal([d2.span!.start.line, d2.span!.start.col], [18, 30]);
  const escaped = compileText(BASE.replace("      Name: LN || ', ' || FN\n", '      Name: "LN || \\u0027x\\u0027 || FNN"\n'));
  const d3 = escaped.diagnostics.find((d) => d.code === 'SF302')!;
  assert.equal([d3.span!.start.line, d3.span!.start.col], [18, 37]);
});

test('unicode column names and values are fine', () => {
  const text = BASE.replace("      Name: LN || ', ' || FN\n", "      Nom de l'élève: LN || ' – ' || FN\n      名前: \"'José ' || LN\"\n");
  const r = compileText(text);
  assert.equal(r.diagnostics, []);
  assert.equal(r.plan!.outputs[0]!.schema.map((c) => c.name), ["Nom de l'élève", '名前', 'Grade']);
});

test('secrets written in clear text are refused; references are kept as references', () => {
  const clear = `${BASE}`.replace('db: { use: sqlite, demo: true }', 'db: { use: sqlite, demo: true }');
  assert.ok(compileText(clear).plan);
  const withRef = BASE.replace('dir: out', 'dir: "${env:OUT_DIR}"');
  const r = compileText(withRef);
  assert.is(r.plan!.connections.out!.settings.dir, '${env:OUT_DIR}');
});

test('a spec with 1 000 steps compiles and reports each error once', () => {
  let steps = '';
  for (let i = 0; i < 1000; i++) steps += `  s${i}:\n    from: ${i === 0 ? 'stu' : `s${i - 1}`}\n`;
  const text = BASE.replace('steps:\n  m:\n    from: stu\n', `steps:\n${steps}  m:\n    from: s999\n`);
  const r = compileText(text);
  assert.equal(r.diagnostics, []);
  assert.is(r.plan!.steps.length, 1002);
});

test('the plan does not depend on the key order of the YAML', () => {
  const reordered = BASE.replace('  db: { use: sqlite, demo: true }\n  out: { use: files, dir: out }\n', '  out: { dir: out, use: files }\n  db: { demo: true, use: sqlite }\n');
  assert.is.not(reordered, BASE);
  const a = compileText(BASE).plan!;
  const b = compileText(reordered).plan!;
  assert.is(JSON.stringify(b), JSON.stringify(a));
  assert.is(b.hash, a.hash);
});

test.run();
