import { readFileSync } from 'node:fs';
import { runSpec, tempDir } from './sftp-helpers.js';
const ROOT = '/work/wt-imports-slices/';
process.env.SISFLOW_DEMO_DIR = await tempDir('h1demo-');
const spec = readFileSync(ROOT + 'examples/siras/import.yaml', 'utf8').replace('dir: sample', `dir: ${ROOT}examples/siras/sample`);
const { report } = await runSpec(spec, {}, { baseDir: await tempDir('h1-') });
console.log(JSON.stringify({ ok: report.ok, err: report.error, held: report.held, out: report.outputs.csv_services?.changes, cse: report.outputs.cse?.changes, w: report.warnings }, null, 1));
