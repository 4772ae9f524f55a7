// `sisflow validate FILE…`: every diagnostic of every spec, as text or JSON; exit 1 on errors.
import { hasErrors, type Diagnostic } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { writeFileSync } from 'node:fs';
import { compileSpecFile, projectOfSpec } from '@sisflow/service';
import { EXIT, printDiagnostics, VERSION, type Out } from '../io.js';
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

export function validate(paths: string[], flags: CompileFlags & { format?: string; sarif?: string }, out: Out): number {
  const all: Diagnostic[] = [];
  const files = specFiles(paths, out, flags.format === 'json' ? all : undefined);
  if (!files) return EXIT.failed;
  for (const file of files) {
    const r = compileFile(file, flags);
    all.push(...r.diagnostics);
    if (flags.format !== 'json') {
      printDiagnostics(out, r.diagnostics, file, r.source);
      if (!hasErrors(r.diagnostics)) out.stderr(`${file}: ok${r.plan ? ` (plan ${r.plan.hash.slice(0, 12)})` : ''}`);
    }
  }
  if (flags.format === 'json') out.stdout(JSON.stringify({ ok: !hasErrors(all), diagnostics: all }, null, 2));
  if (flags.sarif) {
    writeFileSync(flags.sarif, `${JSON.stringify(sarifLog(all, VERSION), null, 2)}\n`);
    out.stderr(`wrote ${all.length} diagnostic(s) as SARIF to ${flags.sarif}`);
  }
  return hasErrors(all) ? EXIT.failed : EXIT.ok;
}
