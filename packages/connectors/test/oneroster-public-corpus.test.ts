// Public OneRoster 1.1 bundles nobody here wrote (test/oneroster/public-corpus, sources and the
// standard's verdict for each in its README): the checker finds exactly the problems the README
// lists, as a folder and as a zip, and no more.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkBundle, readBundle } from '@sisflow/connectors/oneroster';
import { tempDir } from './sftp-helpers.js';

const CORPUS = fileURLToPath(new URL('./oneroster/public-corpus/', import.meta.url));

/** The README's verdicts: each bundle's problems as `code file:line:column`, errors only (no warnings expected). */
const VERDICTS: Record<string, string[]> = {
  'catalyst-enrol-oneroster-v1p1': [
    'OR103 manifest.csv:0:0',
    'OR103 manifest.csv:0:0',
    'OR103 manifest.csv:0:0',
    'OR103 manifest.csv:0:0',
    // Line 3 leaves status and dateLastModified empty, as a bulk file should.
    ...[2, 3, 4, 5, 6, 7].flatMap((l) => [...(l === 3 ? [] : [`OR117 users.csv:${l}:2`, `OR117 users.csv:${l}:3`]), `OR113 users.csv:${l}:4`, `OR115 users.csv:${l}:5`]),
  ],
  'catalyst-enrol-oneroster-v1p2': [
    ...[2, 3, 4, 5, 6].flatMap((l) => [`OR117 academicSessions.csv:${l}:2`, `OR117 academicSessions.csv:${l}:3`, ...(l === 3 || l === 6 ? [`OR115 academicSessions.csv:${l}:8`] : [])]),
    'OR117 classes.csv:2:2',
    'OR117 classes.csv:2:3',
    'OR115 classes.csv:2:6',
    'OR112 classes.csv:2:8',
    'OR117 classes.csv:3:2',
    'OR117 classes.csv:3:3',
    'OR103 manifest.csv:0:0',
    'OR103 manifest.csv:0:0',
    'OR102 manifest.csv:3:2',
    'OR117 orgs.csv:2:2',
    'OR117 orgs.csv:2:3',
    'OR115 orgs.csv:2:7',
    'OR103 userprofiles.csv:0:0',
  ],
  'nicelion-oneroster-mocker': ['OR101 manifest.csv:0:0', 'OR112 users.csv:5:6'],
  'snapwiz-oneroster': [
    'OR110 classes.csv:1:5',
    'OR110 courses.csv:1:4',
    'OR110 demographics.csv:1:1',
    'OR101 manifest.csv:0:0',
    'OR110 orgs.csv:1:7',
    'OR110 users.csv:1:2',
  ],
  'snapwiz-oneroster-dist': [
    'OR118 academicSessions.csv:2:0',
    'OR113 academicSessions.csv:3:3',
    'OR113 academicSessions.csv:4:3',
    'OR113 academicSessions.csv:5:3',
    'OR110 demographics.csv:1:4',
    'OR110 enrollments.csv:1:2',
    'OR101 manifest.csv:0:0',
  ],
};

const bundles = readdirSync(CORPUS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const found = (problems: ReturnType<typeof checkBundle>) => problems.map((p) => `${p.code} ${p.file}:${p.line}:${p.column}`);

test('the corpus holds at least five bundles, each with a verdict and a line in the README', () => {
  assert.ok(bundles.length >= 5, `${bundles.length} bundles`);
  assert.equal(bundles, Object.keys(VERDICTS).sort());
  const readme = readFileSync(join(CORPUS, 'README.md'), 'utf8');
  for (const b of bundles) assert.ok(readme.includes(`### ${b} — `) && readme.includes(`| \`${b}\` |`), `${b} is not described in the README`);
});

for (const b of bundles) {
  test(`${b}: the checker gives the standard's verdict, as a folder and as a zip`, async () => {
    const folder = checkBundle(readBundle(join(CORPUS, b)));
    assert.equal(found(folder), VERDICTS[b]);
    assert.ok(folder.every((p) => p.severity === 'error'));
    const zip = join(await tempDir('sisflow-public-corpus-'), `${b}.zip`);
    const files = readdirSync(join(CORPUS, b)).sort();
    writeFileSync(zip, zipSync(Object.fromEntries(files.map((f) => [f, readFileSync(join(CORPUS, b, f))]))));
    assert.equal(found(checkBundle(readBundle(zip))), VERDICTS[b]);
  });
}

test('a header the checker refuses says what it found and what the standard wants there', () => {
  const [orgs] = checkBundle(readBundle(join(CORPUS, 'snapwiz-oneroster'))).filter((p) => p.file === 'orgs.csv');
  assert.match(orgs!.message, /column 7 of the header is "metadata\.classification", expected parentSourcedId; parentSourcedId is column 10/);
});

test('without a manifest the files that are there are still checked, their references among them too', () => {
  const files = readBundle(join(CORPUS, 'nicelion-oneroster-mocker'));
  const users = Buffer.from(files.get('users.csv')!).toString('utf8');
  files.set('users.csv', Buffer.from(users.replace('10,\n004daf38', '10,\n004daf38').replace(',true,40a9b1be-6eb9-4456-836f-d00c0a444151,student,Tremaine', ',true,40a9b1be-0000-4456-836f-d00c0a444151,student,Tremaine')));
  assert.equal(found(checkBundle(files)), ['OR101 manifest.csv:0:0', 'OR115 users.csv:4:5', 'OR112 users.csv:5:6']);
});

test.run();
