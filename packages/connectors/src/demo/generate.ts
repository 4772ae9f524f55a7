// The synthetic Aeries district behind `--profile demo`: schools, students, staff, schedules and
// special education, generated from a seed so every machine gets byte-identical data.
import type { Row } from '@sisflow/core';
import { COURSES, FIRST_NAMES, LAST_NAMES, SCHOOLS, STAFF_TITLES } from './names.js';
import { Random } from './random.js';
import { generateRecords, type RecordTables } from './records.js';

export interface DemoOptions {
  /** Students per school (default 400). */
  studentsPerSchool?: number;
  /** Schools (default 5, the named demo schools; more are added as "School 6", … for benchmarks). */
  schools?: number;
  /** Sections each teacher teaches (default 5). */
  sectionsPerTeacher?: number;
  /** Sections each student is scheduled into (default 4). */
  classesPerStudent?: number;
  seed?: number;
}

/** The demo's named schools, then numbered ones with alternating grade spans. */
function schoolList(count: number) {
  const spans = [[-1, 5], [6, 8], [9, 12]] as const;
  const extra = Array.from({ length: Math.max(0, count - SCHOOLS.length) }, (_, i) => {
    const [LO, HI] = spans[i % 3]!;
    return { CD: 1001 + i, NM: `School ${SCHOOLS.length + 1 + i}`, SNM: `SCH${SCHOOLS.length + 1 + i}`, LO, HI };
  });
  return [...SCHOOLS.slice(0, Math.max(1, count)), ...extra];
}

export type DemoTables = Record<'LOC' | 'STU' | 'STF' | 'TCH' | 'CRS' | 'MST' | 'SEC' | 'TRM' | 'ENR' | 'CSE' | 'CSV', Row[]> & RecordTables;

export const DEMO_SCHOOL_YEAR = { start: '2026-08-12', end: '2027-06-04', code: '2627', nextStart: '2027-08-11' };

const ascii = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
const pad = (n: number) => String(n).padStart(2, '0');

export function generateDemo(options: DemoOptions = {}): DemoTables {
  const perSchool = options.studentsPerSchool ?? 400;
  const schools = schoolList(options.schools ?? SCHOOLS.length);
  const sectionsPerTeacher = options.sectionsPerTeacher ?? 5;
  const classesPerStudent = options.classesPerStudent ?? 4;
  const rnd = new Random(options.seed ?? 20261123);
  const t: Omit<DemoTables, keyof RecordTables> = { LOC: [], STU: [], STF: [], TCH: [], CRS: [], MST: [], SEC: [], TRM: [], ENR: [], CSE: [], CSV: [] };

  for (const [CN, CO] of COURSES) t.CRS.push({ CN, CO, DE: CN.slice(0, 2), SUB: CO.split(' ')[0]!.toUpperCase().slice(0, 10), LO: null, HI: null, DEL: false });

  let staffId = 5000;
  let studentId = 100000;
  for (const s of schools) {
    t.LOC.push({ CD: s.CD, NM: s.NM, SNM: s.SNM, AD: `${rnd.int(100, 9999)} School Rd`, CY: 'Springfield', ST: 'CA', ZC: '95000', TL: '(555) 555-0100', LO: s.LO, HI: s.HI, PR: null, SCS: String(6000000 + s.CD), DEL: false });
    for (const [TM, TD, BD, ED] of [['F', 'Fall', DEMO_SCHOOL_YEAR.start, '2026-12-18'], ['S', 'Spring', '2027-01-05', DEMO_SCHOOL_YEAR.end], ['Y', 'Year', DEMO_SCHOOL_YEAR.start, DEMO_SCHOOL_YEAR.end]] as const) {
      t.TRM.push({ SC: s.CD, TM, TD: `${TD} 2026-27`, BD, ED });
    }
    // Staff: teachers (also in TCH) and others.
    const teachers: { TN: number; TE: string }[] = [];
    const staffCount = Math.max(4, Math.round(perSchool / 20)) + 4;
    for (let i = 0; i < staffCount; i++) {
      const LN = rnd.pick(LAST_NAMES);
      const FN = rnd.pick(FIRST_NAMES);
      const ID = staffId++;
      const TI = i < staffCount - 4 ? 'Teacher' : rnd.pick(STAFF_TITLES);
      const inactive = rnd.chance(0.05);
      t.STF.push({ ID, LN, FN, MN: rnd.chance(0.3) ? rnd.pick(FIRST_NAMES) : null, EM: rnd.chance(0.95) ? `${ascii(FN)}.${ascii(LN)}${ID % 100}@example.org` : null, PSC: s.CD, TI, TG: inactive ? 'I' : '', DEL: rnd.chance(0.01) });
      if (TI === 'Teacher') {
        const TN = teachers.length + 1;
        const TE = `${LN}, ${FN[0]}.`;
        teachers.push({ TN, TE });
        t.TCH.push({ SC: s.CD, TN, TE, ID, EM: `${ascii(FN)}.${ascii(LN)}${ID % 100}@example.org`, DEL: false });
      }
    }
    // Sections: five per teacher (sectionsPerTeacher).
    const sections: number[] = [];
    const elementary = s.HI <= 5;
    for (const tch of teachers) {
      for (let k = 0; k < sectionsPerTeacher; k++) {
        const SE = sections.length + 1;
        sections.push(SE);
        const course = elementary ? COURSES[COURSES.length - 1]! : rnd.pick(COURSES);
        t.MST.push({ SC: s.CD, SE, CN: course[0], TN: tch.TN, PD: k + 1, RM: String(100 + tch.TN), SM: rnd.pick(['F', 'S', 'Y']), DEL: false });
      }
    }
    for (let i = 0; i < perSchool; i++) {
      const SN = i + 1;
      const ID = studentId++;
      const GR = rnd.int(s.LO, s.HI);
      const LN = rnd.pick(LAST_NAMES);
      const FN = rnd.pick(FIRST_NAMES);
      const roll = rnd.next();
      const status = roll < 0.85 ? 'active' : roll < 0.92 ? 'pre-enrolled' : 'inactive';
      const tg = status === 'inactive' ? rnd.pick(['I', 'T', 'G']) : '';
      const ENR = status === 'pre-enrolled' ? DEMO_SCHOOL_YEAR.nextStart : DEMO_SCHOOL_YEAR.start;
      const LD = status === 'inactive' ? `2026-${pad(rnd.int(9, 11))}-${pad(rnd.int(1, 28))}` : null;
      const birthYear = 2026 - 6 - GR + (rnd.chance(0.6) ? 1 : 0);
      const BD = rnd.chance(0.99) ? `${birthYear}-${pad(rnd.int(1, 12))}-${pad(rnd.int(1, 28))}` : null;
      const teacher = teachers.length ? rnd.pick(teachers) : undefined;
      const emailRoll = rnd.next();
      const email = `${ascii(FN)}.${ascii(LN)}${ID % 1000}@students.example.org`;
      const SEM = emailRoll < 0.05 ? null : emailRoll < 0.1 ? `  ${email.replace(/^./, (c) => c.toUpperCase()).replace('students.example', 'Students.Example')} ` : email;
      const row: Row = {
        SC: s.CD, SN, ID, CID: String(1000000000 + ID * 7), LN, FN, MN: rnd.chance(0.4) ? rnd.pick(FIRST_NAMES) : null, NM: rnd.chance(0.05) ? FN.slice(0, 3) : null,
        GR, SX: rnd.pick(['M', 'F', 'F', 'M', 'X']), BD, TG: tg, ENR, LD, TE: elementary ? teacher?.TE ?? null : null, TN: elementary ? teacher?.TN ?? null : null,
        RM: teacher ? String(100 + teacher.TN) : null, SEM, PEM: rnd.chance(0.8) ? `parent.${ascii(LN)}${ID % 1000}@example.com` : null,
        AD: `${rnd.int(1, 9999)} ${rnd.pick(['Oak', 'Pine', 'Maple', 'Cedar', 'Elm'])} St`, CY: 'Springfield', ST: 'CA', ZC: `95${rnd.int(100, 999)}`, TL: `(555) 555-${rnd.int(1000, 9999)}`,
        HL: rnd.pick(['00', '00', '00', '01', '02', '03']), ETH: rnd.pick(['Y', 'N', 'N']), RC1: rnd.pick(['100', '200', '600', '700']), DEL: rnd.chance(0.005),
      };
      t.STU.push(row);
      t.ENR.push({ SC: s.CD, ID, YR: DEMO_SCHOOL_YEAR.code, ED: ENR, LD, GR, ER: 'E1', LR: LD ? 'L1' : null });
      const chosen = new Set<number>();
      while (sections.length > 0 && chosen.size < Math.min(classesPerStudent, sections.length)) chosen.add(rnd.pick(sections));
      for (const SE of [...chosen].sort((a, b) => a - b)) t.SEC.push({ SC: s.CD, SN, SE, DEL: false });
      if (status !== 'pre-enrolled' && rnd.chance(0.08)) addSpecialEducation(t, rnd, ID, String(row.CID));
    }
  }
  // Some students moved between schools this year: an inactive row at the old school, an active one
  // at the new, same permanent ID — exports must keep one patron per ID.
  const movers = t.STU.filter((r) => r.TG === '' && !r.DEL).filter((_, i) => i % 97 === 0);
  for (const m of movers) {
    const other = schools.find((s) => s.CD !== m.SC && Number(m.GR) >= s.LO && Number(m.GR) <= s.HI);
    if (!other) continue;
    const SN = t.STU.filter((r) => r.SC === other.CD).length + 1;
    t.STU.push({ ...m, SC: other.CD, SN, TG: 'I', LD: '2026-09-30', TE: null, TN: null });
    t.ENR.push({ SC: other.CD, ID: m.ID, YR: DEMO_SCHOOL_YEAR.code, ED: DEMO_SCHOOL_YEAR.start, LD: '2026-09-30', GR: m.GR, ER: 'E1', LR: 'L2' });
  }
  return { ...t, ...generateRecords(t.STU, schools, options.seed ?? 20261123) };
}

const DISABILITIES = ['210', '220', '230', '240', '250', '260', '270', '280', '290', '300', '310', '320', '330'];
const SERVICES = ['330', '340', '415', '425', '435', '436', '445', '450', '510', '520'];

function addSpecialEducation(t: Pick<DemoTables, 'CSE' | 'CSV'>, rnd: Random, ID: number, CID: string): void {
  t.CSE.push({
    ID, CID, DI: rnd.pick(DISABILITIES), D2: rnd.chance(0.2) ? rnd.pick(DISABILITIES) : null, PS: rnd.pick(['100', '200', '400']), EP: rnd.pick(['100', '200']),
    RD: `2024-${pad(rnd.int(1, 12))}-${pad(rnd.int(1, 28))}`, MD: `2026-${pad(rnd.int(1, 10))}-${pad(rnd.int(1, 28))}`, MT: rnd.pick(['10', '20', '30']), XD: null, XR: null, CM: `${rnd.pick(LAST_NAMES)}, ${rnd.pick(FIRST_NAMES)[0]}.`, DEL: false,
  });
  const n = rnd.int(1, 3);
  for (let k = 1; k <= n; k++) {
    t.CSV.push({ ID, SQ: k, SV: rnd.pick(SERVICES), PV: rnd.pick(['010', '020', '030']), LC: rnd.pick(['100', '200']), FQ: rnd.pick(['W', 'M', 'D']), DU: rnd.pick([30, 45, 60]), SD: DEMO_SCHOOL_YEAR.start, ED: DEMO_SCHOOL_YEAR.end, DEL: false });
  }
}
