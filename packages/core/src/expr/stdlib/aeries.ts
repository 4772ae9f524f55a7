// School-data functions: Aeries grade numbers and student statuses.
import { T, nullable, typeToString } from '../types.js';
import { fixed, requireConstant, type FunctionDef } from '../functions.js';

/**
 * Aeries grade numbers to the CEDS labels OneRoster and Destiny use. Aeries districts use small
 * negative numbers below kindergarten; which is TK and which PK varies, so a spec may override
 * any entry: grade_label(GR, {-1: 'PK'}).
 */
export const DEFAULT_GRADE_LABELS: ReadonlyMap<number, string> = new Map<number, string>([
  [-3, 'IT'],
  [-2, 'PK'],
  [-1, 'TK'],
  [0, 'KG'],
  ...Array.from({ length: 13 }, (_, i) => [i + 1, String(i + 1).padStart(2, '0')] as [number, string]),
]);

export function gradeLabel(grade: number, overrides?: Map<unknown, unknown>): string {
  const o = overrides?.get(grade);
  if (typeof o === 'string') return o;
  return DEFAULT_GRADE_LABELS.get(grade) ?? (grade > 13 ? 'Other' : 'UG');
}

export type StudentStatus = 'active' | 'pre-enrolled' | 'inactive';
export const STUDENT_STATUSES: readonly StudentStatus[] = ['active', 'pre-enrolled', 'inactive'];

/** Active: blank inactive tag and an enter date on or before the as-of date. Pre-enrolled: blank tag, future enter date. */
export function studentStatus(tag: string | null, enterDate: string | null, asOf: string): StudentStatus {
  if (tag !== null && tag.trim() !== '') return 'inactive';
  if (enterDate !== null && enterDate > asOf) return 'pre-enrolled';
  return 'active';
}

export const AERIES_FUNCTIONS: FunctionDef[] = [
  {
    name: 'grade_label',
    summary: "An Aeries grade number as a CEDS grade label: -2 → PK, -1 → TK, 0 → KG, 1–13 → 01–13; overrides in an optional map.",
    signature: 'grade_label(grade, overrides?) → string',
    examples: [
      { call: 'grade_label(3)', result: '03' },
      { call: 'grade_label(-1)', result: 'TK' },
      { call: "grade_label(-1, {-1: 'PK'})", result: 'PK' },
    ],
    check: (c) => {
      if (c.args.length < 1 || c.args.length > 2) return { error: `takes 1 or 2 arguments, not ${c.args.length}`, code: 'SF304' };
      const g = c.args[0]!;
      if (g.kind !== 'int' && g.kind !== 'null' && g.kind !== 'any') return { error: `argument 1 must be an int grade number, not ${typeToString(g)}`, arg: 0 };
      if (c.args.length === 2) {
        if (c.args[1]!.kind !== 'map') return { error: "argument 2 must be a map literal like {-1: 'PK'}", arg: 1 };
        const e = requireConstant(c, 1, 'the overrides');
        if (e) return e;
      }
      return nullable(T.string, g.nullable);
    },
    nulls: 'propagate',
    // With overrides, a spec may return any label.
    results: (n) => (n === 1 ? [...new Set([...DEFAULT_GRADE_LABELS.values(), 'Other', 'UG'])] : undefined),
    impl: gradeLabel,
  },
  {
    name: 'student_status',
    summary: "A student's status from the inactive tag TG and the school enter date: 'inactive' (tag set), 'pre-enrolled' (enters after as_of), else 'active'.",
    signature: 'student_status(tag, enter_date, as_of) → string',
    examples: [
      { call: "student_status('', date '2026-08-20', date '2026-06-01')", result: 'pre-enrolled' },
      { call: "student_status('I', null, date '2026-06-01')", result: 'inactive' },
    ],
    check: fixed([nullable(T.string), nullable(T.date), T.date], T.string, 0, true),
    nulls: 'handles',
    results: () => STUDENT_STATUSES,
    impl: studentStatus,
    sql: {
      sqlite: (a) => `(CASE WHEN trim(coalesce(${a[0]}, ''), ' ') <> '' THEN 'inactive' WHEN ${a[1]} > ${a[2]} THEN 'pre-enrolled' ELSE 'active' END)`,
      tsql: (a) => `(CASE WHEN LTRIM(RTRIM(COALESCE(${a[0]}, ''))) <> '' THEN 'inactive' WHEN ${a[1]} > ${a[2]} THEN 'pre-enrolled' ELSE 'active' END)`,
    },
  },
];
