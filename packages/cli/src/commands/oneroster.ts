// `sisflow oneroster check PATH`: checks a OneRoster 1.1 CSV bundle (a folder or a zip) and prints
// every problem as `PATH/file.csv:line:column: error ORnnn: message`.
import { existsSync } from 'node:fs';
import { EXIT, printFailure, type JsonFlag, type Out } from '../io.js';

export async function onerosterCheck(path: string, flags: JsonFlag, out: Out): Promise<number> {
  const { checkBundle, problemLines, readBundle } = await import('@sisflow/connectors/oneroster');
  if (!existsSync(path)) {
    printFailure(out, flags, { message: `error: ${path} does not exist` });
    return EXIT.usage;
  }
  let problems;
  try {
    problems = checkBundle(readBundle(path));
  } catch (e) {
    printFailure(out, flags, { message: `error: ${path} is neither a folder nor a zip of CSV files (${(e as Error).message})` });
    return EXIT.failed;
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (flags.json) out.stdout(JSON.stringify({ ok: errors === 0, errors, warnings, problems }, null, 2));
  else {
    // Repeated problems are grouped (the first few, then a count); --json lists every one. The
    // problems are diagnostics (stderr); the verdict is the result (stdout).
    for (const line of problemLines(problems, `${path}/`)) out.stderr(line);
    const counts = `${errors} error(s)${warnings ? `, ${warnings} warning(s)` : ''}`;
    out.stdout(errors === 0 ? `${path}: conforms to OneRoster 1.1 CSV${warnings ? ` (${counts})` : ''}` : `${counts}${problems.length > problemLines(problems).filter((l) => !l.startsWith('  …')).length ? '; --json lists every one' : ''}`);
  }
  return errors === 0 ? EXIT.ok : EXIT.failed;
}
