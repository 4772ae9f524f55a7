// The Destiny example end to end: the demo district → patrons.csv uploaded to a real OpenSSH
// sshd on 127.0.0.1, downloaded again by the sftp source and compared byte for byte with the
// golden file; the file parses with Destiny's header and no formula-like cells; and each filter
// parameter changes the output as the spec documents. UPDATE_GOLDEN=1 rewrites the golden file.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSpec, tempDir } from './sftp-helpers.js';
import { SSHD, sshdRequired, startSshd, type Sshd } from './sftp/sshd.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = readFileSync(join(ROOT, 'examples/destiny/patrons.yaml'), 'utf8');
const GOLDEN = join(ROOT, 'examples/destiny/expected/patrons.csv');
const HEADER = ['Site Short Name', 'Barcode', 'District ID', 'Last Name', 'First Name', 'Middle Name', 'Nickname', 'Patron Type', 'Access Level', 'Status', 'Gender', 'Homeroom', 'Grade Level', 'Card Expires', 'Graduation Year', 'Birth Date', 'Email 1'];
/** Fixed, so the output does not depend on the day the test runs. */
const PARAMS = { as_of: '2026-11-23' };

let sshd: Sshd;
test.before(async () => {
  sshd = await startSshd();
});
test.after(async () => {
  await sshd?.stop();
});

const SFTP = () => `destiny:
    use: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    username: ${sshd.username}
    private_key: \${secret:destiny_key}
    host_key: ${sshd.fingerprint}
    dir: ${sshd.root}/follett`;

test('demo district → patrons.csv over SFTP → downloaded again: byte for byte the golden file', async () => {
  const dir = await tempDir('sisflow-destiny-');
  const spec = EXAMPLE.replace('destiny:\n    use: files\n    dir: out', SFTP());
  assert.ok(spec.includes('use: sftp'));
  const { report } = await runSpec(spec, { destiny_key: sshd.privateKey }, { baseDir: dir, ...paramsOption(PARAMS) });
  assert.ok(report.ok, report.error);
  assert.is(report.outputs.patrons_csv!.files[0]!.path, `sftp://127.0.0.1:${sshd.port}/${sshd.root.slice(1)}/follett/patrons.csv`);
  // Read it back through the sftp source, as a file: every byte as uploaded.
  const back = `sisflow: 1
name: fetch
connections:
  here: { use: files, dir: back }
  ${SFTP()}
sources:
  patrons:
    from: destiny
    path: patrons.csv
    columns: { Barcode: string }
outputs:
  copy: { from: patrons, to: here, path: barcodes.csv }
`;
  const fetched = await runSpec(back, { destiny_key: sshd.privateKey }, { baseDir: dir });
  assert.ok(fetched.report.ok, fetched.report.error);
  const uploaded = readFileSync(join(sshd.root, 'follett/patrons.csv'));
  assert.is(fetched.report.sources.patrons!.rows, report.outputs.patrons_csv!.rows);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(join(GOLDEN, '..'), { recursive: true });
    writeFileSync(GOLDEN, uploaded);
  }
  assert.ok(uploaded.equals(readFileSync(GOLDEN)), 'the uploaded patrons.csv differs from examples/destiny/expected/patrons.csv');
  // Destiny's properties file went up with it, and nothing was left under a temporary name.
  assert.ok(readFileSync(join(sshd.root, 'follett/patrons.properties')).equals(readFileSync(join(GOLDEN, '../patrons.properties'))));
  assert.equal(readdirSync(join(sshd.root, 'follett')).filter((n) => n.startsWith('patrons.') || n.startsWith('.')).sort(), ['patrons.csv', 'patrons.properties', 'patrons.rejects.csv']);
  // What Destiny's importer will see: the template's header, CR/LF, UTF-8, no formulas.
  const text = uploaded.toString('utf8');
  assert.ok(Buffer.from(text, 'utf8').equals(uploaded), 'valid UTF-8');
  assert.not.ok(/[^\r]\n/.test(text), 'every line ends with CR/LF');
  const records = parse(text, { bom: true }) as string[][];
  assert.equal(records[0], HEADER);
  assert.ok(records.length > 1000);
  for (const r of records) {
    assert.is(r.length, HEADER.length);
    for (const cell of r) assert.not.ok(/^[=+\-@\t\r]/.test(cell), `formula-like cell ${JSON.stringify(cell)}`);
  }
  assert.ok(records.some((r) => /[^\x00-\x7f]/.test(r[3]!)), 'unicode names survive');
});

function paramsOption(p: Record<string, string>) {
  return { params: p };
}

/** Runs the example on the demo data with these params, into a local folder; returns the rows. */
async function patrons(params: Record<string, string>): Promise<Record<string, string>[]> {
  const dir = await tempDir('sisflow-destiny-params-');
  const { compile, runPlan } = await import('@sisflow/core');
  const { defaultRegistry } = await import('@sisflow/connectors');
  const registry = defaultRegistry();
  const r = compile(EXAMPLE, join(dir, 'patrons.yaml'), { registry, today: '2026-11-23', params: { ...PARAMS, ...params } });
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const { report } = await runPlan(r.plan!, { registry, baseDir: dir, secrets: { env: () => undefined, secret: () => undefined } });
  assert.ok(report.ok, report.error);
  return parse(readFileSync(join(dir, 'out/patrons.csv')), { columns: true, bom: true }) as Record<string, string>[];
}

test('every filter parameter changes the output as documented', async () => {
  const base = await patrons({});
  const students = base.filter((p) => p['Patron Type'] === 'Student');
  const staff = base.filter((p) => p['Patron Type'] !== 'Student');
  assert.ok(students.length > 0 && staff.length > 0);
  assert.ok(base.every((p) => p.Status === 'A'), 'default statuses (active, pre-enrolled) send only active patrons');

  // schools: only the listed schools' students and staff.
  const one = await patrons({ schools: '991' });
  const site991 = new Set(one.map((p) => p['Site Short Name']));
  assert.is(site991.size, 1);
  assert.ok(one.length < base.length && one.length > 0);

  // statuses: inactive students appear with status I only when asked for.
  const withInactive = await patrons({ statuses: 'active,pre-enrolled,inactive' });
  const inactive = withInactive.filter((p) => p.Status === 'I');
  assert.ok(inactive.length > 0, 'the demo district has inactive students');
  // A student who moved has an inactive row at the old school too; one row per District ID stays.
  const ids = new Set(withInactive.map((p) => p['District ID']));
  assert.ok(base.every((p) => ids.has(p['District ID'])), 'every patron of the default run is still sent');
  assert.ok(withInactive.length > base.length);
  const activeOnly = await patrons({ statuses: 'active' });
  assert.ok(activeOnly.length < base.length, 'pre-enrolled students drop out');

  // as_of: an earlier day makes students who enter later pre-enrolled, not active.
  const early = await patrons({ statuses: 'active', as_of: '2026-06-01' });
  assert.ok(early.length < activeOnly.length);

  // card_expires and school_year_end: every card date, and graduation years shift by one.
  const cards = await patrons({ card_expires: '2028-06-30', school_year_end: '2028' });
  assert.ok(cards.every((p) => p['Card Expires'] === '06/30/2028'));
  const byId = new Map(base.map((p) => [p.Barcode, p]));
  for (const p of cards.filter((x) => x['Patron Type'] === 'Student').slice(0, 50)) {
    assert.is(Number(p['Graduation Year']), Number(byId.get(p.Barcode)!['Graduation Year']) + 1);
  }
});

if (SSHD) test.run();
else if (sshdRequired()) throw new Error('OpenSSH sshd is not installed; .ci/run installs openssh-server');
else console.warn('SKIPPED destiny-e2e.test.ts: no OpenSSH sshd here (apt-get install openssh-server)');
