// A local HTTPS server that behaves like the Aeries API v5, for tests: the AERIES-CERT header,
// keys granted security areas one by one (401 for an unknown key, 403 for an area the key lacks,
// 404 for an endpoint this Aeries does not have), StartingRecord/EndingRecord paging, a server
// certificate from a private CA, and faults on request (429 with Retry-After, 503).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';

type Records = (school: number) => Record<string, unknown>[];

/** Routes (after /api/v5/) and the security area each needs; the sensitive ones hold nothing here. */
const ROUTES: [RegExp, string, Records][] = [
  [/^schools\/(\d+)\/students\/0\/health$/, 'Student Data / Medical / Health', () => []],
  [/^schools\/(\d+)\/immunizations$/, 'Student Data / Medical / Immunizations', () => []],
  [/^schools\/(\d+)\/discipline$/, 'Student Data / Discipline', () => []],
  [/^schools\/(\d+)\/gradebooks$/, 'Grades / Gradebooks', () => []],
  [/^schools\/(\d+)\/ReportCards$/, 'Grades / Grade Reporting', () => []],
  [/^schools\/(\d+)\/tests$/, 'Test Scores', () => []],
  [/^schools\/(\d+)\/students$/, 'Student Data / Student Data', (sc) => students(sc)],
  [/^schools\/(\d+)\/contacts$/, 'Student Data / Contacts', (sc) => contacts(sc)],
  [/^schools\/(\d+)\/programs$/, 'Student Data / Student Programs / Special Programs', (sc) => programs(sc)],
  [/^schools\/(\d+)\/specialed$/, 'Student Data / Student Programs / Special Education', (sc) => specialEd(sc)],
  [/^schools\/(\d+)\/enrollment\/0$/, 'Attendance / Enrollment History', (sc) => enrollment(sc)],
];

/** Every area a full SIRAS key holds. */
export const SIRAS_AREAS = ROUTES.slice(6).map(([, area]) => area);

export const PER_SCHOOL = 1203;

export function students(school: number) {
  return Array.from({ length: PER_SCHOOL }, (_, i) => ({
    StudentID: school * 100000 + i,
    SchoolCode: school,
    StateStudentID: i % 50 === 0 ? null : String(1000000000 + school * 10000 + i),
    LastName: i === 7 ? 'Núñez' : `Last${i}`,
    FirstName: `First${i}`,
    Sex: i % 2 ? 'F' : 'M',
    Birthdate: `2015-0${(i % 9) + 1}-1${i % 10}T00:00:00`,
    Grade: (i % 14) - 1,
    InactiveStatusCode: i % 100 === 99 ? 'I' : '',
    ExtraField: 'ignored',
  }));
}

function contacts(school: number) {
  return students(school)
    .slice(0, 10)
    .map((s, i) => ({ StudentID: s.StudentID, SequenceNumber: 1, LastName: s.LastName, FirstName: `Parent${i}`, RelationshipToStudentCode: '10', HomePhone: '555-0100', EmailAddress: ` Parent${i}@Example.ORG ` }));
}

/** Every 10th student is in a program (144 = special education, 122 = English learner, alternating). */
function programs(school: number) {
  return students(school)
    .filter((_, i) => i % 10 === 0)
    .map((s, k) => ({ StudentID: s.StudentID, ProgramCode: k % 2 ? '122' : '144', ProgramDescription: k % 2 ? 'English Learner' : 'Special Education', EligibilityStartDate: '2024-08-15T00:00:00', EligibilityEndDate: null, ParticipationStartDate: '2024-08-20T00:00:00', ParticipationEndDate: null }));
}

/** Every 20th student has a special-education record. */
function specialEd(school: number) {
  return students(school)
    .filter((_, i) => i % 20 === 0)
    .map((s, k) => ({ StudentID: s.StudentID, PrimaryDisabilityCode: k % 3 ? '240' : '210', SecondaryDisabilityCode: k % 4 ? null : '250', ProgramSettingCode: '400', CaseManagerName: `Manager ${k % 5}`, LastIEPMeetingDate: '2026-03-0' + ((k % 9) + 1) + 'T00:00:00', ExitDate: null, ExitReasonCode: '' }));
}

/** One enrollment per student this year, and a second, earlier one for every 4th. */
function enrollment(school: number) {
  return students(school).flatMap((s, i) => [
    { StudentID: s.StudentID, SchoolCode: school, AcademicYear: '2026', Grade: s.Grade, EnterDate: '2026-08-19T00:00:00', LeaveDate: null, ExitReasonCode: '' },
    ...(i % 4 === 0 ? [{ StudentID: s.StudentID, SchoolCode: school, AcademicYear: '2025', Grade: s.Grade - 1, EnterDate: '2025-08-20T00:00:00', LeaveDate: '2026-06-05T00:00:00', ExitReasonCode: '480' }] : []),
  ]);
}

export class AeriesApiServer {
  readonly requests: string[] = [];
  readonly faults = { throttleOnce: new Set<string>(), failOnce: new Set<string>() };
  /** Paths (after /api/v5/) this Aeries answers 404 for, as an older version would. */
  readonly missing = new Set<string>();
  /** Awaited before a granted request is answered: a test holds a run in the middle of its read with it. */
  hold: ((path: string) => Promise<void>) | undefined;
  ca = '';
  private server!: Server;
  private port = 0;

  /** `keys`: each API key and the security areas the district granted it. */
  constructor(readonly keys: Map<string, Set<string>>) {}

  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}/aeries`;
  }

  async start(dir: string): Promise<void> {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    this.ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    this.server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: this.ca, minVersion: 'TLSv1.2' }, async (req, res) => {
      const url = new URL(req.url!, 'https://127.0.0.1');
      this.requests.push(`${url.pathname}${url.search}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const granted = this.keys.get(String(req.headers['aeries-cert'] ?? ''));
      if (!granted) return send(401, { Message: 'Authorization has been denied for this request.' });
      if (this.faults.throttleOnce.delete(url.pathname)) return send(429, { Message: 'Too many requests' }, { 'retry-after': '0' });
      if (this.faults.failOnce.delete(url.pathname)) return send(503, { Message: 'Service unavailable' });
      const path = url.pathname.replace(/^\/aeries\/api\/v5\//, '');
      if (this.hold) await this.hold(path);
      if (res.destroyed) return;
      const route = this.missing.has(path) ? undefined : ROUTES.find(([re]) => re.test(path));
      if (!route) return send(404, { Message: 'No HTTP resource was found that matches the request URI' });
      const [re, area, records] = route;
      if (!granted.has(area)) return send(403, { Message: `The API key does not have permission to ${area}` });
      const all = records(Number(re.exec(path)![1]));
      const from = Number(url.searchParams.get('StartingRecord') ?? 1);
      const to = Number(url.searchParams.get('EndingRecord') ?? all.length);
      send(200, all.slice(from - 1, to));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
