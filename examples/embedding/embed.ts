// sisflow inside a program: compile the Destiny example with typed parameters, show problems the
// way the CLI does, run it on the demo district, and read the report. Strict TypeScript, NodeNext.
// Run from the repository: node --conditions=sisflow-source --import tsx examples/embedding/embed.ts
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, formatDiagnostics, runPlan } from '@sisflow/core';
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';

const file = join(dirname(fileURLToPath(import.meta.url)), '../destiny/patrons.yaml');
const registry = defaultRegistry();
// Parameters are typed values here (a list of school codes, a date), not command-line text.
const result = compile(readFileSync(file), file, { registry, params: { schools: [991, 993], statuses: ['active'] }, today: '2026-09-01' });
if (!result.plan) {
  console.error(formatDiagnostics(result.diagnostics, { sources: result.source }));
  process.exit(1);
}
const { report, captured } = await runPlan(result.plan, {
  registry,
  baseDir: dirname(file),
  secrets: environmentSecrets(), // SISFLOW_SECRET_NAME or $SISFLOW_SECRETS_DIR/NAME, as the CLI reads them
  capture: new Set(['patrons']), // keep the rows in memory instead of writing patrons.csv
});
const patrons = captured.get('patrons') ?? [];
const schools = new Set(patrons.map((p) => p['Site Short Name']));
console.log(`${report.ok ? 'ok' : 'failed'}: ${patrons.length} patrons from ${[...schools].sort().join(', ')}; plan ${report.planHash.slice(0, 12)}`);
