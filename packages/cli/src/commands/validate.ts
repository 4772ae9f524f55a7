// `sisflow validate FILE…`: every diagnostic of every spec, as text or JSON; exit 1 on errors.
import { compile, hasErrors, type Diagnostic } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { writeFileSync } from 'node:fs';
import { EXIT, printDiagnostics, readSpecFile, VERSION, type Out } from '../io.js';
import { sarifLog } from '../reports/sarif.js';

export interface CompileFlags {
  profile?: string;
  param?: Record<string, string>;
  today?: string;
}

export function compileFile(file: string, flags: CompileFlags) {
  const read = readSpecFile(file);
  if (!read.bytes) return { diagnostics: read.diagnostics, source: undefined, plan: undefined, analysis: undefined };
  return compile(read.bytes, file, {
    registry: defaultRegistry(),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.param ? { params: flags.param } : {}),
    ...(flags.today ? { today: flags.today } : {}),
  });
}

export function validate(files: string[], flags: CompileFlags & { format?: string; sarif?: string }, out: Out): number {
  const all: Diagnostic[] = [];
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
