// OneRoster 1.1 CSV as data: the files of a bundle, their columns in order, and what each column
// must hold (required, an enumeration, a date, a list, a reference to another file). The checker
// and the bundle sink both read it; nothing about the standard is written anywhere else.

export const MANIFEST_FILES = ['academicSessions', 'categories', 'classes', 'classResources', 'courses', 'courseResources', 'demographics', 'enrollments', 'lineItems', 'orgs', 'resources', 'results', 'users'] as const;

export const GRADES = ['IT', 'PR', 'PK', 'TK', 'KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', 'PS', 'UG', 'Other'];

export type ColumnRule =
  /** Free text; `list` when the standard makes it a comma-separated list (subjects, periods, userIds). */
  | { kind: 'text'; list?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'year' }
  | { kind: 'bool' }
  | { kind: 'grades' }
  | { kind: 'ref'; file: string; list?: boolean };

export interface ColumnSpec {
  name: string;
  required?: boolean;
  rule: ColumnRule;
}

export interface FileSpec {
  name: string;
  columns: ColumnSpec[];
}

const text: ColumnRule = { kind: 'text' };
const textList: ColumnRule = { kind: 'text', list: true };
const col = (name: string, rule: ColumnRule = text, required = false): ColumnSpec => ({ name, rule, ...(required ? { required } : {}) });
const COMMON = [col('sourcedId', text, true), col('status', { kind: 'enum', values: ['active', 'tobedeleted'] }), col('dateLastModified', { kind: 'datetime' })];

/** The data files sisflow reads and writes, columns in the standard's order. */
export const FILES: FileSpec[] = [
  {
    name: 'orgs',
    columns: [...COMMON, col('name', text, true), col('type', { kind: 'enum', values: ['department', 'school', 'district', 'local', 'state', 'national'] }, true), col('identifier'), col('parentSourcedId', { kind: 'ref', file: 'orgs' })],
  },
  {
    name: 'academicSessions',
    columns: [
      ...COMMON,
      col('title', text, true),
      col('type', { kind: 'enum', values: ['gradingPeriod', 'semester', 'schoolYear', 'term'] }, true),
      col('startDate', { kind: 'date' }, true),
      col('endDate', { kind: 'date' }, true),
      col('parentSourcedId', { kind: 'ref', file: 'academicSessions' }),
      col('schoolYear', { kind: 'year' }, true),
    ],
  },
  {
    name: 'courses',
    columns: [...COMMON, col('schoolYearSourcedId', { kind: 'ref', file: 'academicSessions' }), col('title', text, true), col('courseCode'), col('grades', { kind: 'grades' }), col('orgSourcedId', { kind: 'ref', file: 'orgs' }, true), col('subjects', textList), col('subjectCodes', textList)],
  },
  {
    name: 'classes',
    columns: [
      ...COMMON,
      col('title', text, true),
      col('grades', { kind: 'grades' }),
      col('courseSourcedId', { kind: 'ref', file: 'courses' }, true),
      col('classCode'),
      col('classType', { kind: 'enum', values: ['homeroom', 'scheduled'] }, true),
      col('location'),
      col('schoolSourcedId', { kind: 'ref', file: 'orgs' }, true),
      col('termSourcedIds', { kind: 'ref', file: 'academicSessions', list: true }, true),
      col('subjects', textList),
      col('subjectCodes', textList),
      col('periods', textList),
    ],
  },
  {
    name: 'enrollments',
    columns: [
      ...COMMON,
      col('classSourcedId', { kind: 'ref', file: 'classes' }, true),
      col('schoolSourcedId', { kind: 'ref', file: 'orgs' }, true),
      col('userSourcedId', { kind: 'ref', file: 'users' }, true),
      col('role', { kind: 'enum', values: ['administrator', 'proctor', 'student', 'teacher'] }, true),
      col('primary', { kind: 'bool' }),
      col('beginDate', { kind: 'date' }),
      col('endDate', { kind: 'date' }),
    ],
  },
  {
    name: 'users',
    columns: [
      ...COMMON,
      col('enabledUser', { kind: 'bool' }, true),
      col('orgSourcedIds', { kind: 'ref', file: 'orgs', list: true }, true),
      col('role', { kind: 'enum', values: ['administrator', 'aide', 'guardian', 'parent', 'proctor', 'relative', 'student', 'teacher'] }, true),
      col('username', text, true),
      col('userIds', textList),
      col('givenName', text, true),
      col('familyName', text, true),
      col('middleName'),
      col('identifier'),
      col('email'),
      col('sms'),
      col('phone'),
      col('agentSourcedIds', { kind: 'ref', file: 'users', list: true }),
      col('grades', { kind: 'grades' }),
      col('password'),
    ],
  },
  {
    name: 'demographics',
    columns: [
      ...COMMON,
      col('birthDate', { kind: 'date' }),
      col('sex', { kind: 'enum', values: ['male', 'female'] }),
      ...['americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander', 'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity'].map((n) => col(n, { kind: 'bool' })),
      col('countryOfBirthCode'),
      col('stateOfBirthAbbreviation'),
      col('cityOfBirth'),
      col('publicSchoolResidenceStatus'),
    ],
  },
];

export const FILE_BY_NAME = new Map(FILES.map((f) => [f.name, f]));

/** Whether a column holds a comma-separated list in the CSV (grades, lists of ids, subjects, periods, userIds). */
export function isListColumn(c: ColumnSpec): boolean {
  return c.rule.kind === 'grades' || (c.rule.kind === 'ref' && !!c.rule.list) || (c.rule.kind === 'text' && !!c.rule.list);
}

/** How sisflow writes a bundle's CSV files (sink settings of the CSV writer): CRLF, quoted when needed, a header. */
// Never spreadsheet-safe: a bundle is read by programs, and the standard's values must arrive as they are.
export const BUNDLE_CSV = { line_ending: 'crlf', quote: 'needed', header: true, spreadsheet_safe: false } as const;
