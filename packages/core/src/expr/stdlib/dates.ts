// Date functions. Patterns are explicit (yyyy MM dd HH mm ss); no locale guessing.
import { RowError } from '../row-error.js';
import { T, nullable, typeToString } from '../types.js';
import { checkDatePattern, fixed, requireConstant, type FunctionDef } from '../functions.js';
import { ageOn, civilFromDays, daysFromCivil, formatDate, isTimeZone, parseDate, schoolYearOf, todayIn } from '../dates.js';

const dateLike = (t: { kind: string }) => t.kind === 'date' || t.kind === 'datetime' || t.kind === 'null' || t.kind === 'any';

export const DATE_FUNCTIONS: FunctionDef[] = [
  {
    name: 'format_date',
    summary: 'Writes a date with an explicit pattern.',
    signature: 'format_date(date, pattern) → string',
    examples: [{ call: "format_date(date '2016-04-02', 'MM/dd/yyyy')", result: '04/02/2016' }],
    check: (c) => {
      if (c.args.length !== 2) return { error: `takes 2 arguments, not ${c.args.length}`, code: 'SF304' };
      if (!dateLike(c.args[0]!)) return { error: `argument 1 must be a date, not ${typeToString(c.args[0]!)}`, arg: 0 };
      const e = requireConstant(c, 1, 'the pattern') ?? checkDatePattern(c, 1);
      if (e) return e;
      return nullable(T.string, c.args[0]!.nullable);
    },
    nulls: 'propagate',
    impl: formatDate,
  },
  {
    name: 'parse_date',
    summary: 'Reads a date from text with an explicit pattern; a row whose text does not match goes to rejects.',
    signature: 'parse_date(text, pattern) → date',
    examples: [{ call: "parse_date('4/2/2016', 'M/d/yyyy')", result: '2016-04-02' }],
    check: (c) => {
      const t = fixed([T.string, T.string], T.date)(c);
      if ('error' in t) return t;
      const e = requireConstant(c, 1, 'the pattern') ?? checkDatePattern(c, 1);
      if (e) return e;
      const p = c.constant(1);
      if (p.ok && typeof p.value === 'string' && /HH|mm|ss/.test(p.value)) return nullable(T.datetime, t.nullable);
      return t;
    },
    nulls: 'propagate',
    impl: parseDate,
  },
  {
    name: 'today',
    summary: "Today's date in an IANA time zone (read once per run).",
    signature: 'today(timezone) → date',
    examples: [],
    check: (c) => {
      const t = fixed([T.string], T.date)(c);
      if ('error' in t) return t;
      const e = requireConstant(c, 0, 'the time zone');
      if (e) return e;
      const z = c.constant(0);
      if (z.ok && typeof z.value === 'string') {
        if (!isTimeZone(z.value)) {
          return { error: `'${z.value}' is not an IANA time zone (e.g. America/Los_Angeles)`, arg: 0 };
        }
      }
      return T.date;
    },
    nulls: 'propagate',
    volatile: true,
    impl: (tz: string) => todayIn(tz),
  },
  {
    name: 'age',
    summary: 'Whole years between a birth date and a date.',
    signature: 'age(birth_date, on_date) → int',
    examples: [{ call: "age(date '2016-04-02', date '2026-04-01')", result: 9 }],
    check: fixed([T.date, T.date], T.int),
    nulls: 'propagate',
    impl: ageOn,
  },
  {
    name: 'school_year',
    summary: 'The school year a date falls in, named by its ending year; the year starts in start_month (default 7).',
    signature: 'school_year(date, start_month?) → int',
    examples: [{ call: "school_year(date '2026-09-01')", result: 2027 }],
    check: fixed([T.date, T.int], T.int, 1),
    nulls: 'propagate',
    impl: (d: string, m = 7) => schoolYearOf(d, m),
  },
  {
    name: 'year',
    summary: 'The calendar year of a date.',
    signature: 'year(date) → int',
    examples: [{ call: "year(date '2016-04-02')", result: 2016 }],
    check: fixed([T.datetime], T.int),
    nulls: 'propagate',
    impl: (d: string) => Number(d.slice(0, 4)),
    sql: { sqlite: (a) => `CAST(substr(${a[0]}, 1, 4) AS INTEGER)`, tsql: (a) => `YEAR(${a[0]})` },
  },
  {
    name: 'add_days',
    summary: 'A date moved by a number of days.',
    signature: 'add_days(date, days) → date',
    examples: [{ call: "add_days(date '2024-02-28', 2)", result: '2024-03-01' }],
    check: fixed([T.date, T.int], T.date),
    nulls: 'propagate',
    impl: (d: string, n: number) => civilFromDays(daysFromCivil(d) + n),
  },
  {
    name: 'to_date',
    summary: 'The date part of a datetime, or an ISO text (YYYY-MM-DD…) read as a date.',
    signature: 'to_date(datetime | text) → date',
    examples: [{ call: "to_date('2024-05-06T10:00:00')", result: '2024-05-06' }],
    check: (c) => {
      if (c.args.length !== 1) return { error: `takes 1 argument, not ${c.args.length}`, code: 'SF304' };
      const a = c.args[0]!;
      if (!dateLike(a) && a.kind !== 'string') return { error: `argument 1 must be a date, datetime or text, not ${typeToString(a)}`, arg: 0 };
      return nullable(T.date, a.nullable);
    },
    nulls: 'propagate',
    impl: (v: string) => {
      const d = v.slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new RowError(`'${v}' is not an ISO date`);
      return parseDate(d, 'yyyy-MM-dd');
    },
  },
];
