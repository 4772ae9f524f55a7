// The demo district's records-transfer tables (TST, CST, CTS, HIS): test scores, content-standard
// scores, college tests and course history for each student. Drawn from their own random stream,
// after the rest of the district, so the tables generated before them stay byte-identical.
import type { Row } from '@sisflow/core';
import { COURSES } from './names.js';
import { Random } from './random.js';

export type RecordTables = Record<'TST' | 'CST' | 'CTS' | 'HIS', Row[]>;

interface School {
  CD: number;
  NM: string;
}

/** A school year code (2526) and its spring test date for a year `back` years before 2026-27. */
function year(back: number) {
  const start = 2026 - back;
  return { YR: `${String(start % 100).padStart(2, '0')}${String((start + 1) % 100).padStart(2, '0')}`, spring: start + 1 };
}

const pad = (n: number) => String(n).padStart(2, '0');
const MARKS = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D', 'F', 'P'];
const ELA_CLAIMS = ['ELA-READ', 'ELA-WRITE', 'ELA-LISTEN', 'ELA-RESEARCH'];
const MATH_CLAIMS = ['MA-CONCEPTS', 'MA-PROBLEM', 'MA-REASON'];

export function generateRecords(students: readonly Row[], schools: readonly School[], seed: number): RecordTables {
  // A stream of its own: changing how records are drawn never moves a student or a section.
  const rnd = new Random((seed ^ 0x7e57ab1e) >>> 0);
  const t: RecordTables = { TST: [], CST: [], CTS: [], HIS: [] };
  const seen = new Set<unknown>();
  for (const s of students) {
    if (seen.has(s.ID)) continue; // a mover's second school row: one history per student
    seen.add(s.ID);
    const ID = s.ID as number;
    const GR = s.GR as number;
    const school = schools.find((x) => x.CD === s.SC) ?? schools[0]!;
    // State tests in spring of each earlier year from grade 3 on (at most three years back).
    for (let back = 1; back <= 3; back++) {
      const gr = GR - back;
      if (gr < 3) break;
      const { spring } = year(back);
      const TD = `${spring}-${pad(rnd.int(4, 5))}-${pad(rnd.int(1, 28))}`;
      for (const [TA, claims] of [['SBAC-ELA', ELA_CLAIMS], ['SBAC-MA', MATH_CLAIMS]] as const) {
        const SS = rnd.int(2200, 2800);
        t.TST.push({ ID, TA, PT: 0, TD, GR: gr, RS: rnd.int(10, 60), SS, PL: String(1 + Math.min(3, Math.floor((SS - 2200) / 150))), SCL: school.CD, DEL: false });
        for (const CS of claims) t.CST.push({ ID, TA, TD, CS, PL: String(rnd.int(1, 3)), PC: rnd.int(20, 100), DEL: false });
      }
    }
    if (rnd.chance(0.15)) {
      const TD = `2026-${pad(rnd.int(2, 4))}-${pad(rnd.int(1, 28))}`;
      t.TST.push({ ID, TA: 'ELPAC', PT: 0, TD, GR: Math.max(0, GR - 1), RS: rnd.int(20, 80), SS: rnd.int(1400, 1700), PL: String(rnd.int(1, 4)), SCL: school.CD, DEL: false });
    }
    // College tests for juniors and seniors.
    if (GR >= 11 && rnd.chance(0.6)) {
      const TD = `2026-${pad(rnd.int(3, 6))}-${pad(rnd.int(1, 28))}`;
      t.CTS.push({ ID, TI: 'SAT', TS: 'EBRW', TD, SCR: rnd.int(30, 80) * 10, GR: GR - 1, DEL: false });
      t.CTS.push({ ID, TI: 'SAT', TS: 'MATH', TD, SCR: rnd.int(30, 80) * 10, GR: GR - 1, DEL: false });
      if (rnd.chance(0.4)) t.CTS.push({ ID, TI: 'AP', TS: rnd.pick(['CALCAB', 'ENGLAN', 'USHIST', 'BIO']), TD: `2026-05-${pad(rnd.int(4, 15))}`, SCR: rnd.int(1, 5), GR: GR - 1, DEL: false });
    }
    // Course history: middle and high school years before this one, two terms of four courses.
    let SQ = 0;
    for (let back = Math.min(3, GR - 6); back >= 1; back--) {
      const gr = GR - back;
      if (gr < 6) continue;
      const { YR } = year(back);
      for (const TE of ['F', 'S']) {
        for (let k = 0; k < 4; k++) {
          const [CN, CO] = rnd.pick(COURSES);
          const MK = rnd.pick(MARKS);
          const CR = gr >= 9 ? 5 : 0;
          t.HIS.push({ ID, SQ: ++SQ, YR, SCL: school.CD, SNM: school.NM.slice(0, 30), GR: gr, TE, CN, CO, MK, CR, CC: MK === 'F' ? 0 : CR, DEL: false });
        }
      }
    }
  }
  return t;
}
