// `sisflow plan SPEC`: the compiled job plan, as an outline for people or as JSON (`--json`).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { compile, diffPlans, formatPlanDiff, type Diagnostic, type JobPlan } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { eachAsJson, EXIT, printDiagnostics, printFailure, readPlanFile, type Out } from '../io.js';
import { compileFile, type CompileFlags } from './validate.js';
import { specFiles } from './project-args.js';

/**
 * `--diff OLD`: what a reviewer must see between the plan of OLD and this one. OLD is a plan JSON,
 * another spec file, or a git revision of this spec (`HEAD`, `main~3`), compiled with the same
 * profile, params and day so only the spec's own changes show.
 */
function planDiff(file: string, now: JobPlan, flags: CompileFlags & { diff: string; json?: boolean }, out: Out): number {
  const old = oldPlan(file, flags);
  if (!old.plan) {
    printFailure(out, flags, { message: `error: ${old.error}` });
    return EXIT.failed;
  }
  const changes = diffPlans(old.plan, now);
  if (flags.json) out.stdout(JSON.stringify({ from: old.name, to: file, changes }, null, 2));
  else out.stdout(formatPlanDiff(changes, { before: old.name, after: file }));
  return EXIT.ok;
}

function oldPlan(file: string, flags: CompileFlags & { diff: string }): { plan?: JobPlan; name: string; error?: string } {
  const ref = flags.diff;
  let text: string | Uint8Array;
  let name = ref;
  if (existsSync(ref)) {
    if (ref.endsWith('.json')) {
      const p = readPlanFile(ref);
      return p.plan ? { plan: p.plan, name } : { name, error: p.diagnostics.map((d) => d.message).join('; ') };
    }
    const spec = compileFile(ref, flags);
    return spec.plan ? { plan: spec.plan, name } : { name, error: `${ref} does not compile (run \`sisflow validate ${ref}\`)` };
  }
  try {
    text = execFileSync('git', ['-C', dirname(file) || '.', 'show', `${ref}:./${basename(file)}`], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 8 * 1024 * 1024 });
    name = `${basename(file)} at ${ref}`;
  } catch (e) {
    const why = String((e as { stderr?: Buffer }).stderr ?? '').trim().split('\n')[0] || (e as Error).message;
    return { name, error: `${ref} is neither a file nor a git revision of ${file} (${why})` };
  }
  const r = compile(text, file, { registry: defaultRegistry(), ...(flags.profile ? { profile: flags.profile } : {}), ...(flags.param ? { params: flags.param } : {}), ...(flags.today ? { today: flags.today } : {}) });
  return r.plan ? { plan: r.plan, name } : { name, error: `${name} does not compile: ${r.diagnostics.find((d) => d.severity === 'error')?.message ?? 'errors'}` };
}

export async function plan(path: string, flags: CompileFlags & { json?: boolean; out?: string; diff?: string }, out: Out): Promise<number> {
  const collected: Diagnostic[] = [];
  const files = specFiles([path], out, flags.json ? collected : undefined);
  if (!files) {
    printFailure(out, flags, { diagnostics: collected });
    return EXIT.failed;
  }
  if (files.length === 1) return planOne(files[0]!, flags, out);
  if (flags.out) {
    printFailure(out, flags, { message: '-o writes one plan: give a spec file, not a project folder' });
    return EXIT.usage;
  }
  if (flags.json) return eachAsJson(out, files, (file, o) => planOne(file, flags, o), (codes) => Math.max(...codes));
  let code: number = EXIT.ok;
  for (const file of files) code = Math.max(code, planOne(file, flags, out));
  return code;
}

function planOne(file: string, flags: CompileFlags & { json?: boolean; out?: string; diff?: string }, out: Out): number {
  const r = compileFile(file, flags);
  if (!r.plan) {
    printFailure(out, flags, { diagnostics: r.diagnostics, file, ...(r.source ? { source: r.source } : {}) });
    return EXIT.failed;
  }
  printDiagnostics(out, r.diagnostics, file, r.source);
  if (flags.diff !== undefined) return planDiff(file, r.plan, flags as CompileFlags & { diff: string; json?: boolean }, out);
  const json = `${JSON.stringify(r.plan, null, 2)}\n`;
  if (flags.out) {
    writeFileSync(flags.out, json);
    const wrote = `wrote the plan of ${r.plan.name} (${r.plan.hash.slice(0, 12)}) to ${flags.out}`;
    if (flags.json) out.stdout(JSON.stringify({ ok: true, name: r.plan.name, hash: r.plan.hash, file: flags.out }, null, 2));
    else out.stdout(wrote);
  } else if (flags.json) out.stdout(json);
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
  for (const o of p.outputs) {
    lines.push(`  ${o.name}  ${o.from} → ${o.connection} (${o.use}) ${o.target}`);
    const slice = o.table?.slice;
    if (slice) {
      const whole = slice.length === 0 ? 'the whole output' : `each ${slice.join(', ')}`;
      lines.push(`      held whole when a row of it is refused: ${whole}${o.table!.holdWith.length > 0 ? `; also when ${o.table!.holdWith.join(', ')} refused its row` : ''}`);
    }
  }
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
