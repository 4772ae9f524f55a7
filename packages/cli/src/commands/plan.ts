// `sisflow plan SPEC`: the compiled job plan, as an outline for people or as JSON (`--json`).
import { writeFileSync } from 'node:fs';
import type { JobPlan } from '@sisflow/core';
import { EXIT, printDiagnostics, type Out } from '../io.js';
import { compileFile, type CompileFlags } from './validate.js';
import { specFiles } from './project-args.js';

export function plan(path: string, flags: CompileFlags & { json?: boolean; out?: string }, out: Out): number {
  const files = specFiles([path], out);
  if (!files) return EXIT.failed;
  if (files.length === 1) return planOne(files[0]!, flags, out);
  if (flags.out) {
    out.stderr('-o writes one plan: give a spec file, not a project folder');
    return EXIT.usage;
  }
  let code: number = EXIT.ok;
  for (const file of files) code = Math.max(code, planOne(file, flags, out));
  return code;
}

function planOne(file: string, flags: CompileFlags & { json?: boolean; out?: string }, out: Out): number {
  const r = compileFile(file, flags);
  printDiagnostics(out, r.diagnostics, file, r.source);
  if (!r.plan) return EXIT.failed;
  const json = `${JSON.stringify(r.plan, null, 2)}\n`;
  if (flags.out) writeFileSync(flags.out, json);
  else if (flags.json) out.stdout(json);
  else out.stdout(outline(r.plan));
  return EXIT.ok;
}

export function outline(p: JobPlan): string {
  const lines = [`plan ${p.name}  ${p.hash.slice(0, 12)}${p.profile ? `  (profile ${p.profile})` : ''}`];
  if (p.description) lines.push(`  ${p.description}`);
  const params = Object.entries(p.params);
  if (params.length) {
    lines.push('', 'params');
    for (const [n, v] of params) lines.push(`  ${n}: ${v.type} = ${JSON.stringify(v.value)}`);
  }
  lines.push('', 'steps');
  for (const s of p.steps) {
    if (s.kind === 'source') {
      lines.push(`  ${s.name}  ← ${s.connection} (${s.use}) ${JSON.stringify(s.settings)}`);
      if (s.filter?.pushdown) lines.push(`      where (${s.filter.pushdown.dialect}): ${s.filter.pushdown.sql}  ${JSON.stringify(s.filter.pushdown.parameters)}`);
      if (s.filter?.residual.length) lines.push(`      where (in sisflow): ${s.filter.residual.join(' and ')}`);
    } else {
      lines.push(`  ${s.name}  ← ${s.inputs.join(' + ')}${s.lookups.length ? `  lookup ${s.lookups.map((l) => `${l.alias}=${l.from}`).join(', ')}` : ''}`);
      if (s.where) lines.push(`      where ${s.where}`);
      if (s.dedupe) lines.push(`      dedupe by ${s.dedupe.key.join(', ')} keep ${s.dedupe.keep}`);
      if (s.rules.length) lines.push(`      ${s.rules.length} rule(s)`);
    }
    lines.push(`      → ${s.schema.map((c) => `${c.name}: ${c.type}`).join(', ')}`);
  }
  lines.push('', 'outputs');
  for (const o of p.outputs) lines.push(`  ${o.name}  ${o.from} → ${o.connection} (${o.use}) ${o.target}`);
  if (p.schedule) lines.push('', `schedule  ${p.schedule.cron} (${p.schedule.timezone})`);
  const needs = Object.entries(p.needs);
  if (needs.length) {
    lines.push('', 'needs');
    for (const [conn, n] of needs) {
      for (const t of n.tables ?? []) lines.push(`  ${conn}: ${t.access} ${t.name}${t.columns ? ` (${t.columns.join(', ')})` : ''}`);
      for (const perm of n.permissions ?? []) lines.push(`  ${conn}: ${perm}`);
    }
  }
  return lines.join('\n');
}
