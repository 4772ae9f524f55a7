// Shared by the core tests: a registry with the real connectors, and compile-to-codes helpers.
import { compile, type CompileResult } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';

export const registry = defaultRegistry();

export const BASE = `sisflow: 1
name: t
params:
  schools: { type: "list<int>", default: [991] }
connections:
  db: { use: sqlite, demo: true }
  out: { use: files, dir: out }
sources:
  stu:
    from: db
    table: STU
    columns: [ID, SC, LN, FN, GR, TG, BD]
    where: SC in $schools
steps:
  m:
    from: stu
    columns:
      Name: LN || ', ' || FN
      Grade: grade_label(GR)
outputs:
  f: { from: m, to: out, path: f.csv }
`;

export function compileText(text: string, options: { profile?: string; params?: Record<string, string> } = {}): CompileResult {
  return compile(text, 'spec.yaml', { registry, today: '2026-11-23', ...options });
}

/** Each error or warning as `CODE@line:col`. */
export function codes(text: string, options: { profile?: string; params?: Record<string, string> } = {}): string[] {
  return compileText(text, options).diagnostics.map((d) => `${d.code}@${d.span ? `${d.span.start.line}:${d.span.start.col}` : '-'}`);
}
