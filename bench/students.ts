// The generated STU rows every mapping benchmark reads: deterministic, with the cases a real
// table has (inactive students, missing middle names and birth dates, names with quotes,
// accents and a formula-looking last name).
import type { Row } from '@sisflow/core';

export const SCHOOLS = [991, 992, 993, 994, 995];
export const SNM = new Map(SCHOOLS.map((cd, i) => [cd, ['LHS', 'WMS', 'EES', 'PVE', 'RHS'][i]!]));
const LAST = ['García', 'Nguyen', 'Smith', "O'Brien", 'Lee-Park', 'Øvergård', 'Johnson', '=SUM(A1)', 'Zhang', 'Müller'];
const FIRST = ['Ana', 'Bo', 'Chloé', 'Dmitri', 'Eve', 'Fatima', 'Gus', 'Hana', 'Ivan', 'José'];

/** Row i of the generated STU table (deterministic; every 50th row is inactive). */
export function student(i: number): Row {
  const gr = (i % 14) - 1;
  return {
    ID: 100000 + i,
    SC: SCHOOLS[i % 5]!,
    LN: LAST[i % 10]!,
    FN: FIRST[(i * 7) % 10]!,
    MN: i % 3 === 0 ? null : 'M',
    GR: gr,
    SX: i % 3 === 0 ? 'M' : i % 3 === 1 ? 'F' : 'X',
    BD: i % 11 === 0 ? null : `${2008 + (i % 14)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    TG: i % 50 === 0 ? 'I' : '',
    SEM: i % 4 === 0 ? null : `Kid${i}@Example.ORG`,
  };
}

