// A small spec writing a OneRoster bundle (orgs and users from in/students.csv) with a guard on
// users.csv, for the tests of held bundles (connectors) and of the guard through the CLI (service).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_SPEC = (bundle = 'path: out/oneroster.zip') => `sisflow: 1
name: roster-bundle
connections:
  here: { use: files, dir: in }
  bundle: { use: oneroster-csv, ${bundle} }
sources:
  students: { from: here, path: students.csv, columns: { ID: int, LN: string, FN: string } }
steps:
  district:
    from: students
    columns: { sourcedId: "'district'", status: "''", dateLastModified: "''", name: "'Test USD'", type: "'district'", identifier: "''", parentSourcedId: "''" }
    dedupe: { key: sourcedId, keep: first }
  users:
    from: students
    columns:
      sourcedId: "'stu-' || text(ID)"
      status: "''"
      dateLastModified: "''"
      enabledUser: "true"
      orgSourcedIds: "'district'"
      role: "'student'"
      username: "'stu' || text(ID)"
      userIds: "''"
      givenName: FN
      familyName: LN
      middleName: "''"
      identifier: text(ID)
      email: "''"
      sms: "''"
      phone: "''"
      agentSourcedIds: "''"
      grades: "''"
      password: "''"
outputs:
  orgs: { from: district, to: bundle, file: orgs }
  users: { from: users, to: bundle, file: users, guard: { key: sourcedId, max_removed: 10% } }
`;

export function writeStudents(dir: string, from: number, to: number): void {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const lines = ['ID,LN,FN'];
  for (let i = from; i <= to; i++) lines.push(`${i},Family${i},Given${i}`);
  writeFileSync(join(dir, 'in', 'students.csv'), `${lines.join('\n')}\n`);
}
