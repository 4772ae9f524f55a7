// `sisflow validate FILE…`: every diagnostic of every spec, as text or JSON; exit 1 on errors.
import { hasErrors, type Diagnostic, type JobPlan } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors/registry';
import { writeFileSync } from 'node:fs';
import { compileSpecFile, projectOfSpec } from '@sisflow/service/project';
import { EXIT, printDiagnostics, printFailure, VERSION, type JsonFlag, type Out } from '../io.js';
import { resumeOptimizer } from '../optimizer-deferral.js';
import { sarifLog } from '../reports/sarif.js';
import { specFiles } from './project-args.js';

export interface CompileFlags {
  profile?: string;
  param?: Record<string, string>;
  today?: string;
}

/** Compiles a spec file; a spec that belongs to a project may use the project's connections and profiles. */
export function compileFile(file: string, flags: CompileFlags) {
  const registry = defaultRegistry();
  const inProject = projectOfSpec(file, registry);
  if (inProject && !inProject.project) return { diagnostics: inProject.diagnostics, source: inProject.source, plan: undefined, analysis: undefined };
  return compileSpecFile(file, inProject?.project, {
    registry,
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.param ? { params: flags.param } : {}),
    ...(flags.today ? { today: flags.today } : {}),
  });
}

/**
 * Compiles a spec file for a verb that needs its plan: warnings are printed on stderr; a spec that
 * does not compile is reported (as JSON on stdout too, with --json) and gives no plan.
 */
export function compileForVerb(file: string, flags: CompileFlags & JsonFlag, out: Out): JobPlan | undefined {
  const r = compileFile(file, flags);
  if (!r.plan) printFailure(out, flags, { diagnostics: r.diagnostics, file, ...(r.source ? { source: r.source } : {}) });
  else printDiagnostics(out, r.diagnostics, file, r.source);
  return r.plan;
}

export function validate(paths: string[], flags: CompileFlags & JsonFlag & { sarif?: string }, out: Out): number {
  const all: Diagnostic[] = [];
  const checked: { file: string; ok: boolean; plan?: string }[] = [];
  const files = specFiles(paths, out, flags.json ? all : undefined);
  if (!files && flags.json) out.stdout(JSON.stringify({ ok: false, files: checked, diagnostics: all }, null, 2));
  if (!files) return EXIT.failed;
  for (const [i, file] of files.entries()) {
    // More than one spec: the optimizing compiler pays for itself again (optimizer-deferral.ts).
    if (i === 1) resumeOptimizer();
    const r = compileFile(file, flags);
    all.push(...r.diagnostics);
    checked.push({ file, ok: !hasErrors(r.diagnostics), ...(r.plan ? { plan: r.plan.hash } : {}) });
    if (!flags.json) {
      // The problems are diagnostics (stderr); the verdict is the result (stdout).
      printDiagnostics(out, r.diagnostics, file, r.source);
      if (!hasErrors(r.diagnostics)) out.stdout(`${file}: ok${r.plan ? ` (plan ${r.plan.hash.slice(0, 12)})` : ''}`);
    }
  }
  if (flags.json) out.stdout(JSON.stringify({ ok: !hasErrors(all), files: checked, diagnostics: all }, null, 2));
  if (flags.sarif) {
    writeFileSync(flags.sarif, `${JSON.stringify(sarifLog(all, VERSION), null, 2)}\n`);
    out.stderr(`wrote ${all.length} diagnostic(s) as SARIF to ${flags.sarif}`);
  }
  return hasErrors(all) ? EXIT.failed : EXIT.ok;
}
