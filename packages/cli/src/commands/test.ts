// `sisflow test SPEC…`: runs the specs' embedded tests; exit 1 when any fails.
import { dirname, resolve } from 'node:path';
import { runSpecTests } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { EXIT, printDiagnostics, readSpecFile, type Out } from '../io.js';
import { specFiles } from './project-args.js';

export async function test(paths: string[], flags: { profile?: string; today?: string }, out: Out): Promise<number> {
  const files = specFiles(paths, out);
  if (!files) return EXIT.failed;
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const read = readSpecFile(file);
    if (!read.bytes) {
      printDiagnostics(out, read.diagnostics, file, undefined);
      failed++;
      continue;
    }
    const { results, diagnostics } = await runSpecTests(read.bytes, file, {
      registry: defaultRegistry(),
      baseDir: resolve(dirname(file)),
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags.today ? { today: flags.today } : {}),
    });
    if (diagnostics) {
      out.stderr(diagnostics);
      failed++;
      continue;
    }
    if (results.length === 0) out.stdout(`${file}: no tests`);
    for (const r of results) {
      out.stdout(`${r.ok ? 'ok  ' : 'FAIL'} ${file}: ${r.name}`);
      for (const f of r.failures) out.stdout(`       ${f}`);
      if (r.ok) passed++;
      else failed++;
    }
  }
  out.stdout(`${passed} passed, ${failed} failed`);
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
