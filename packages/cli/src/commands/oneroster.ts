// `sisflow oneroster check PATH`: checks a OneRoster 1.1 CSV bundle (a folder or a zip) and prints
// every problem as `PATH/file.csv:line:column: error ORnnn: message`.
import { existsSync } from 'node:fs';
import { EXIT, type Out } from '../io.js';

export async function onerosterCheck(path: string, flags: { format?: string }, out: Out): Promise<number> {
  const { checkBundle, readBundle } = await import('@sisflow/connectors/oneroster');
  if (!existsSync(path)) {
    out.stderr(`error: ${path} does not exist`);
    return EXIT.usage;
  }
  let problems;
  try {
    problems = checkBundle(readBundle(path));
  } catch (e) {
    out.stderr(`error: ${path} is neither a folder nor a zip of CSV files (${(e as Error).message})`);
    return EXIT.failed;
  }
  if (flags.format === 'json') out.stdout(JSON.stringify({ ok: problems.length === 0, problems }, null, 2));
  else {
    for (const p of problems) out.stderr(`${path}/${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: error ${p.code}: ${p.message}`);
    out.stderr(problems.length === 0 ? `${path}: conforms to OneRoster 1.1 CSV` : `${problems.length} problem(s)`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.failed;
}
