// `sisflow test SPEC…`: runs the specs' embedded tests; exit 1 when any fails.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runSpecTests, type Diagnostic } from '@sisflow/core';
import { csvFileRecords, defaultRegistry } from '@sisflow/connectors';
import { EXIT, printDiagnostics, printFailure, readSpecFile, type JsonFlag, type Out } from '../io.js';
import { junitXml, type JunitCase } from '../reports/junit.js';
import { specFiles } from './project-args.js';

export async function test(paths: string[], flags: JsonFlag & { profile?: string; today?: string; param?: Record<string, string>; junit?: string }, out: Out): Promise<number> {
  const collected: Diagnostic[] = [];
  const files = specFiles(paths, out, flags.json ? collected : undefined);
  if (!files) {
    printFailure(out, flags, { diagnostics: collected });
    return EXIT.failed;
  }
  // Text results are printed as they come; --json prints them all at the end.
  const say = (line: string) => void (flags.json ? undefined : out.stdout(line));
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
      readCsv: csvFileRecords,
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
    if (results.length === 0) say(`${file}: no tests`);
    for (const r of results) {
      say(`${r.ok ? 'ok  ' : 'FAIL'} ${file}: ${r.name}`);
      for (const f of r.failures) say(`       ${f}`);
      if (r.ok) passed++;
      else failed++;
    }
  }
  say(`${passed} passed, ${failed} failed`);
  if (flags.json) {
    const files = suites.map((s) => ({ file: s.file, ...(s.error !== undefined ? { error: s.error } : {}), tests: s.cases.map((c) => ({ name: c.name, ok: c.ok, failures: c.failures })) }));
    out.stdout(JSON.stringify({ ok: failed === 0, passed, failed, files }, null, 2));
  }
  if (flags.junit) {
    writeFileSync(flags.junit, junitXml(suites));
    out.stderr(`wrote the results as JUnit XML to ${flags.junit}`);
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
