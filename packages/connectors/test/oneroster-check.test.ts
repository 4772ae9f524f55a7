// The OneRoster 1.1 conformance checker: a valid bundle passes (as a folder and as a zip), and a
// corpus of bundles with one defect each fails with the right code at the right file, line and
// column.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkBundle, MANIFEST_FILES, ONEROSTER_FILES, readBundle } from '@sisflow/connectors/oneroster';
import { tempDir } from './sftp-helpers.js';

const header = (name: string) => ONEROSTER_FILES.find((f) => f.name === name)!.columns.map((c) => c.name).join(',');

function valid(): Map<string, string> {
  const present = ['orgs', 'academicSessions', 'courses', 'classes', 'enrollments', 'users', 'demographics'];
  const manifest = ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', ...MANIFEST_FILES.map((f) => `file.${f},${present.includes(f) ? 'bulk' : 'absent'}`), 'source.systemName,sisflow'];
  return new Map([
    ['manifest.csv', manifest.join('\r\n') + '\r\n'],
    ['orgs.csv', `${header('orgs')}\r\nd1,,,Unified District,district,D1,\r\ns994,,,Jefferson High,school,994,d1\r\n`],
    ['academicSessions.csv', `${header('academicSessions')}\r\ny2027,,,2026-2027,schoolYear,2026-08-12,2027-06-11,,2027\r\nt1,,,Fall,term,2026-08-12,2026-12-18,y2027,2027\r\n`],
    ['courses.csv', `${header('courses')}\r\nc1,,,y2027,Algebra 1,MA101,"09,10",s994,Math,\r\n`],
    ['classes.csv', `${header('classes')}\r\ncl1,,,Algebra 1 P1,09,c1,MA101-1,scheduled,R12,s994,t1,Math,,1\r\n`],
    ['users.csv', `${header('users')}\r\nu1,,,true,s994,student,ana.ng,{SIS:100001},Ana,Ng,,100001,ana@example.org,,,,09,\r\nu2,,,true,s994,teacher,t.lee,,Tom,Lee,,5001,tlee@example.org,,,,,\r\n`],
    ['enrollments.csv', `${header('enrollments')}\r\ne1,,,cl1,s994,u1,student,,2026-08-12,\r\ne2,,,cl1,s994,u2,teacher,true,,\r\n`],
    ['demographics.csv', `${header('demographics')}\r\nu1,,,2011-04-02,female,false,true,false,false,false,false,false,,,,\r\n`],
  ]);
}

const codes = (files: Map<string, string>) => checkBundle(files).map((p) => `${p.code} ${p.file}:${p.line}:${p.column}`);

function broken(file: string, from: string, to: string): Map<string, string> {
  const b = valid();
  const text = b.get(file)!;
  if (!text.includes(from)) throw new Error(`case does not apply: ${from}`);
  b.set(file, text.replace(from, to));
  return b;
}

test('a valid bundle conforms, as a folder and as a zip', async () => {
  assert.equal(codes(valid()), []);
  const dir = await tempDir('sisflow-oneroster-');
  mkdirSync(join(dir, 'bundle'));
  for (const [name, text] of valid()) writeFileSync(join(dir, 'bundle', name), text);
  assert.equal(checkBundle(readBundle(join(dir, 'bundle'))), []);
  writeFileSync(join(dir, 'bundle.zip'), zipSync(Object.fromEntries([...valid()].map(([n, t]) => [n, Buffer.from(t)]))));
  assert.equal(checkBundle(readBundle(join(dir, 'bundle.zip'))), []);
});

const CORPUS: [name: string, bundle: () => Map<string, string>, expected: string][] = [
  ['missing manifest', () => { const b = valid(); b.delete('manifest.csv'); return b; }, 'OR101 manifest.csv:0:0'],
  ['wrong OneRoster version', () => broken('manifest.csv', 'oneroster.version,1.1', 'oneroster.version,1.2'), 'OR102 manifest.csv:3:2'],
  ['manifest entry missing', () => broken('manifest.csv', 'file.results,absent\r\n', ''), 'OR102 manifest.csv:0:0'],
  ['declared bulk but missing', () => { const b = valid(); b.delete('courses.csv'); return b; }, 'OR103 manifest.csv:0:0'],
  ['present but declared absent', () => broken('manifest.csv', 'file.demographics,bulk', 'file.demographics,absent'), 'OR103 manifest.csv:0:0'],
  ['missing header column', () => broken('orgs.csv', 'name,type,identifier', 'name,identifier'), 'OR110 orgs.csv:1:5'],
  ['required field empty', () => broken('users.csv', 'ana.ng', ''), 'OR111 users.csv:2:7'],
  ['bad org type', () => broken('orgs.csv', 'Jefferson High,school', 'Jefferson High,highschool'), 'OR112 orgs.csv:3:5'],
  ['bad enrollment role', () => broken('enrollments.csv', 'u1,student', 'u1,learner'), 'OR112 enrollments.csv:2:7'],
  ['wrong date format', () => broken('academicSessions.csv', 'Fall,term,2026-08-12', 'Fall,term,08/12/2026'), 'OR113 academicSessions.csv:3:6'],
  ['impossible date', () => broken('demographics.csv', '2011-04-02', '2011-02-30'), 'OR113 demographics.csv:2:4'],
  ['bad boolean', () => broken('users.csv', 'u2,,,true', 'u2,,,yes'), 'OR113 users.csv:3:4'],
  ['duplicate sourcedId', () => broken('enrollments.csv', 'e2,', 'e1,'), 'OR114 enrollments.csv:3:1'],
  ['dangling class in an enrollment', () => broken('enrollments.csv', 'e1,,,cl1', 'e1,,,cl9'), 'OR115 enrollments.csv:2:4'],
  ['dangling term in a list', () => broken('classes.csv', ',s994,t1,', ',s994,"t1,t7",'), 'OR115 classes.csv:2:11'],
  ['bad grade', () => broken('courses.csv', '"09,10"', '"09,9"'), 'OR116 courses.csv:2:7'],
  ['status in a bulk file', () => broken('orgs.csv', 'd1,,,', 'd1,active,,'), 'OR117 orgs.csv:2:2'],
  ['row with a missing field', () => broken('orgs.csv', ',school,994,d1', ',school,994'), 'OR118 orgs.csv:3:0'],
  ['dangling parent org (a reference within the file)', () => broken('orgs.csv', 'school,994,d1', 'school,994,d7'), 'OR115 orgs.csv:3:7'],
  ['empty status in a delta file', () => delta(valid()), 'OR117 enrollments.csv:3:2'],
];

/** The valid bundle with enrollments sent as a delta (status and dateLastModified filled). */
function delta(b: Map<string, string>): Map<string, string> {
  b.set('manifest.csv', b.get('manifest.csv')!.replace('file.enrollments,bulk', 'file.enrollments,delta'));
  b.set('enrollments.csv', b.get('enrollments.csv')!.replace('e1,,,', 'e1,active,2026-11-23T05:30:00.000Z,'));
  return b;
}

test('references of records to be deleted, and into delta files, are not judged; bulk ones are', () => {
  const b = delta(valid());
  b.set('enrollments.csv', b.get('enrollments.csv')!.replace('e2,,,', 'e2,tobedeleted,2026-11-23T05:30:00.000Z,').replace(',cl1,s994,u2', ',cl9,s994,u2'));
  assert.equal(codes(b), [], 'a record to be deleted may name what is already gone');
  b.set('enrollments.csv', b.get('enrollments.csv')!.replace('e2,tobedeleted', 'e2,active'));
  assert.equal(codes(b), ['OR115 enrollments.csv:3:4'], 'an active delta record must name a class the bulk file has');
  b.set('manifest.csv', b.get('manifest.csv')!.replace('file.classes,bulk', 'file.classes,delta').replace('file.enrollments,delta', 'file.enrollments,bulk'));
  b.set('classes.csv', b.get('classes.csv')!.replace('cl1,,,', 'cl1,active,2026-11-23T05:30:00.000Z,'));
  b.set('enrollments.csv', valid().get('enrollments.csv')!.replace(',cl1,s994,u2', ',cl9,s994,u2'));
  assert.equal(codes(b), [], 'a bulk enrollment pointing into a delta classes file cannot be judged');
  b.set('manifest.csv', b.get('manifest.csv')!.replace('file.classes,delta', 'file.classes,bulk'));
  b.set('classes.csv', valid().get('classes.csv')!);
  assert.equal(codes(b), ['OR115 enrollments.csv:3:4']);
});

test('extension columns (metadata.…) to the right of the standard ones are allowed, and their rows are checked', () => {
  const b = valid();
  b.set('users.csv', b.get('users.csv')!.replace(`${header('users')}\r\n`, `${header('users')},metadata.district.homeroom\r\n`).replaceAll(',\r\n', ',,R12\r\n').replace('u2,,,true,s994,teacher,t.lee,,Tom,Lee,,5001,tlee@example.org,,,,,,R12', 'u2,,,true,s994,teacher,t.lee,,Tom,Lee,,5001,tlee@example.org,,,,,,'));
  assert.equal(codes(b), []);
  b.set('users.csv', b.get('users.csv')!.replace(',metadata.district.homeroom', ',homeroom'));
  const p = checkBundle(b).find((x) => x.code === 'OR110')!;
  assert.is(`${p.file}:${p.line}:${p.column}`, 'users.csv:1:19');
  assert.is(p.message, 'column 19 of the header is "homeroom": after the standard\'s 18 columns only extension columns named metadata.… may follow');
});

test('a wrong header says what was found and what was expected, and does not cascade into dangling references', () => {
  const b = broken('users.csv', 'sourcedId,status,dateLastModified,enabledUser', 'id,status,dateLastModified,enabledUser');
  const problems = checkBundle(b);
  assert.equal(problems.map((p) => `${p.code} ${p.file}:${p.line}:${p.column}`), ['OR110 users.csv:1:1'], 'enrollments pointing at users are not reported: users.csv is there');
  assert.match(problems[0]!.message, /^column 1 of the header is "id", expected sourcedId; there is no sourcedId column \(the header starts sourcedId,status,/);
  const short = checkBundle(broken('orgs.csv', ',identifier,parentSourcedId\r\n', ',identifier\r\n'));
  assert.match(short.find((p) => p.code === 'OR110')!.message, /^the header ends after column 6 \("identifier"\); expected column 7 to be parentSourcedId/);
  const swapped = checkBundle(broken('orgs.csv', 'name,type', 'type,name'));
  assert.match(swapped.find((p) => p.code === 'OR110')!.message, /^column 4 of the header is "type", expected name; name is column 5/);
});

test('a bulk file with a header and no records conforms, with a warning that a consumer would remove every record', () => {
  const b = valid();
  b.set('demographics.csv', `${header('demographics')}\r\n`);
  const problems = checkBundle(b);
  assert.equal(problems.map((p) => `${p.severity} ${p.code} ${p.file}`), ['warning OR119 demographics.csv']);
  // A delta file with no records says "no changes": nothing to warn about.
  b.set('manifest.csv', b.get('manifest.csv')!.replace('file.demographics,bulk', 'file.demographics,delta'));
  assert.equal(checkBundle(b), []);
});

test('repeated problems are grouped: the first few in full, then a count and the next lines', async () => {
  const { problemLines } = await import('@sisflow/connectors/oneroster');
  const b = valid();
  const rows = Array.from({ length: 40 }, (_, i) => `e${i + 10},,,cl1,s994,u9,student,,,\r\n`).join('');
  b.set('enrollments.csv', b.get('enrollments.csv')! + rows);
  const problems = checkBundle(b);
  assert.is(problems.length, 40);
  const lines = problemLines(problems);
  assert.equal(lines, [
    'enrollments.csv:4:6: error OR115: userSourcedId u9 is not a sourcedId in users.csv',
    'enrollments.csv:5:6: error OR115: userSourcedId u9 is not a sourcedId in users.csv',
    'enrollments.csv:6:6: error OR115: userSourcedId u9 is not a sourcedId in users.csv',
    '  … and 37 more OR115 in enrollments.csv column 6 (lines 7, 8, 9, 10, 11, …)',
  ]);
});

for (const [name, bundle, expected] of CORPUS) {
  test(`broken bundle: ${name} → ${expected}`, () => {
    const found = codes(bundle());
    assert.ok(found.includes(expected), `expected ${expected}, got ${found.join(' | ') || 'nothing'}`);
  });
}

test.run();
