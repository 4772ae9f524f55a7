// `sisflow test SPEC…`: runs the specs' embedded tests; exit 1 when any fails.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runSpecTests } from '@sisflow/core';
import { csvRecords, defaultRegistry } from '@sisflow/connectors';
import { EXIT, printDiagnostics, readSpecFile, type Out } from '../io.js';
import { junitXml, type JunitCase } from '../reports/junit.js';
import { specFiles } from './project-args.js';

export async function test(paths: string[], flags: { profile?: string; today?: string; param?: Record<string, string>; junit?: string }, out: Out): Promise<number> {
  const files = specFiles(paths, out);
  if (!files) return EXIT.failed;
  let passed = 0;
  let failed = 0;
  const suites: { file: string; cases: JunitCase[]; error?: string }[] = [];
  for (const file of files) {
    const read = readSpecFile(file);
    if (!read.bytes) {
      printDiagnostics(out, read.diagnostics, file, undefined);
      suites.push({ file, cases: [], error: read.diagnostics.map((d) => d.message).join('\n') });
      failed++;
      continue;
    }
    const { results, diagnostics } = await runSpecTests(read.bytes, file, {
      registry: defaultRegistry(),
      baseDir: resolve(dirname(file)),
      readCsv: csvRecords,
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags.today ? { today: flags.today } : {}),
      ...(flags.param ? { params: flags.param } : {}),
    });
    if (diagnostics) {
      out.stderr(diagnostics);
      suites.push({ file, cases: [], error: diagnostics });
      failed++;
      continue;
    }
    suites.push({ file, cases: results });
    if (results.length === 0) out.stdout(`${file}: no tests`);
    for (const r of results) {
      out.stdout(`${r.ok ? 'ok  ' : 'FAIL'} ${file}: ${r.name}`);
      for (const f of r.failures) out.stdout(`       ${f}`);
      if (r.ok) passed++;
      else failed++;
    }
  }
  out.stdout(`${passed} passed, ${failed} failed`);
  if (flags.junit) {
    writeFileSync(flags.junit, junitXml(suites));
    out.stderr(`wrote the results as JUnit XML to ${flags.junit}`);
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
