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
  'oat-sa-oneroster-import': [
    'OR110 academicSessions.csv:1:9',
    'OR110 classes.csv:1:5',
    'OR110 demographics.csv:1:1',
    'OR103 manifest.csv:0:0',
    'OR103 manifest.csv:0:0',
    'OR110 orgs.csv:1:7',
    'OR110 users.csv:1:2',
  ],
  'snapwiz-oneroster': [
    'OR110 classes.csv:1:5',
    'OR110 courses.csv:1:4',
    'OR110 demographics.csv:1:1',
    'OR101 manifest.csv:0:0',
    'OR110 orgs.csv:1:7',
    'OR110 users.csv:1:2',
  ],
  'lepo-roster-hub-ja': ['OR102 manifest.csv:0:0', 'OR103 manifest.csv:0:0'],
  'lepo-roster-hub-en': ['OR101 manifest.csv:0:0'],
  'rjeike-onerostersync-step1': ['OR110 courses.csv:1:7', 'OR101 manifest.csv:0:0', 'OR110 orgs.csv:1:7'],
  'rjeike-onerostersync-step4': ['OR110 classes.csv:1:12', 'OR101 manifest.csv:0:0', 'OR110 users.csv:1:8'],
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
  const [orgs] = checkBundle(readBundle(join(CORPUS, 'oat-sa-oneroster-import'))).filter((p) => p.file === 'orgs.csv');
  assert.match(orgs!.message, /column 7 of the header is "metadata\.classification", expected parentSourcedId; parentSourcedId is column 10/);
});

test('without a manifest the files that are there are still checked, their references among them too', () => {
  const files = readBundle(join(CORPUS, 'lepo-roster-hub-en'));
  const enrollments = Buffer.from(files.get('enrollments.csv')!).toString('utf8');
  files.set('enrollments.csv', Buffer.from(enrollments.replace('"en0006","","","cl0001"', '"en0006","","","cl9999"')));
  assert.equal(found(checkBundle(files)), ['OR115 enrollments.csv:7:4', 'OR101 manifest.csv:0:0']);
});

test.run();
