// The diagnostics corpus: realistic wrong specs (one mistake each) must each be reported once, with
// the right code at the right line and a hint; unusual valid specs must pass. The test prints the
// share of diagnostics that carry a hint, and every function a hint names must exist.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDiagnostics, STDLIB, USUAL_FIX, type Diagnostic } from '@sisflow/core';
import { BAD_SPECS, CASE_OPTIONS } from './bad-specs.cases.js';
import { WRONG_SPECS } from './corpus/wrong-specs.js';
import { VALID_SPECS } from './corpus/valid-specs.js';
import { compileText } from './helpers.js';

const seen: Diagnostic[] = [];

/** `name(` in a text, not `item(s)`, not a method call. */
const CALL = /(?<![\w.$])([a-z_][a-z0-9_]*)\((?!s\))/g;

/** The string literals on source lines that build diagnostics (hints, reports, the usual fixes). */
function hintTexts(): string[] {
  const root = new URL('../../', import.meta.url);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  for (const pkg of ['core', 'connectors', 'cli']) walk(fileURLToPath(new URL(`${pkg}/src`, root)));
  const literal = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  const out: string[] = [];
  for (const f of files) {
    for (const l of readFileSync(f, 'utf8').split('\n')) if (/hint|report\(|diagnostic\(|SF\d{3}/.test(l)) out.push(...(l.match(literal) ?? []));
  }
  return out;
}
let oneRoot = 0;

for (const c of WRONG_SPECS) {
  test(`wrong spec: ${c.name} → ${c.code}@${c.line || '-'}`, () => {
    const r = compileText(c.text, c.options ?? {});
    seen.push(...r.diagnostics);
    const shown = r.diagnostics.map((d) => `${d.code}@${d.span ? d.span.start.line : '-'}`).join(' ') || 'nothing';
    assert.not.ok(r.diagnostics.some((d) => d.code === 'SF900'), 'no internal error');
    const hit = r.diagnostics.find((d) => d.code === c.code && (d.span?.start.line ?? 0) === c.line);
    assert.ok(hit, `expected ${c.code}@${c.line || '-'}, got ${shown}`);
    // One mistake, one report: nothing else at error level (and, for a warning, nothing else at all).
    const others = r.diagnostics.filter((d) => d !== hit && (d.severity === 'error' || hit!.severity === 'warning'));
    assert.equal(others.map((d) => `${d.code}@${d.span?.start.line ?? '-'}: ${d.message}`), [], `one root problem for "${c.name}"`);
    oneRoot++;
    if (hit!.severity === 'error') assert.is(r.plan, undefined, 'no plan from a spec with errors');
  });
}

for (const [name, text] of VALID_SPECS) {
  test(`valid spec: ${name}`, () => {
    const r = compileText(text);
    assert.equal(r.diagnostics.map((d) => `${d.code}@${d.span?.start.line ?? '-'}: ${d.message}`), []);
    assert.ok(r.plan, 'it compiles to a plan');
  });
}

test('a dedented block is one error, printed with the count of the problems it caused', () => {
  const c = WRONG_SPECS.find((w) => w.name === 'columns block dedented as a whole')!;
  const r = compileText(c.text);
  assert.is(r.diagnostics.length, 1);
  const d = r.diagnostics[0]!;
  assert.is(d.followers, 16, 'the 16 unknown keys of the misplaced block are counted, not listed');
  assert.match(d.hint!, 'indent it under `student_patrons:` (4 spaces');
  const printed = formatDiagnostics(r.diagnostics, { sources: new Map([['spec.yaml', r.source!]]) });
  assert.match(printed, 'note: and 16 more problems that follow from this one');
  assert.match(printed, `spec.yaml:${c.line}:3: error SF118`);
});

test('every function a hint names is in the function library', () => {
  for (const [name, text] of BAD_SPECS) seen.push(...compileText(text, CASE_OPTIONS[name] ?? {}).diagnostics);
  const hints = [...seen.map((d) => d.hint ?? ''), ...Object.values(USUAL_FIX)];
  const named = new Set(hints.flatMap((h) => [...h.matchAll(CALL)].map((m) => m[1]!)));
  // And every hint written in the source, whether or not a case above reaches it.
  for (const text of hintTexts()) for (const m of text.matchAll(CALL)) named.add(m[1]!);
  const missing = [...named].filter((f) => !STDLIB.has(f));
  assert.equal(missing, [], `hints name functions that do not exist: ${missing.join(', ')}`);
  assert.ok(named.size >= 5, 'the check saw hints naming functions');
});

test('every diagnostic of the corpus has a hint (the share is printed)', () => {
  const corpus = seen.filter((d) => d.severity !== 'info');
  const withHint = corpus.filter((d) => (d.hint ?? '').trim().length > 0);
  const share = (100 * withHint.length) / corpus.length;
  console.log(`corpus: ${WRONG_SPECS.length} wrong specs (${oneRoot} reported once, at their line), ${VALID_SPECS.length} valid specs; ${corpus.length} diagnostics, ${share.toFixed(1)} % with a hint`);
  assert.ok(WRONG_SPECS.length >= 150 && VALID_SPECS.length >= 20, 'the corpus is large enough');
  assert.equal(corpus.filter((d) => !d.hint).map((d) => `${d.code}: ${d.message}`), []);
});

test.run();
