// The Aeries tables sisflow reads and writes, as data: columns, SQL types and meaning.
// A working model from public integration material (see shared/domain/aeries.md); districts may
// have more columns — extend a table here and every check and the demo generator follow.

export interface CatalogColumn {
  name: string;
  /** SQL Server type as Aeries declares it. */
  sql: string;
  nullable?: boolean;
  doc: string;
}

export interface CatalogTable {
  name: string;
  doc: string;
  key: string[];
  columns: CatalogColumn[];
}

const c = (name: string, sql: string, doc: string, nullable = false): CatalogColumn => ({ name, sql, doc, ...(nullable ? { nullable } : {}) });
const DEL = c('DEL', 'bit', 'soft-deleted record');

export const AERIES_TABLES: CatalogTable[] = [
  {
    name: 'LOC',
    doc: 'schools (locations)',
    key: ['CD'],
    columns: [
      c('CD', 'smallint', 'school code'),
      c('NM', 'varchar(30)', 'school name'),
      c('SNM', 'varchar(10)', 'short name', true),
      c('AD', 'varchar(50)', 'street address', true),
      c('CY', 'varchar(20)', 'city', true),
      c('ST', 'varchar(2)', 'state', true),
      c('ZC', 'varchar(10)', 'zip code', true),
      c('TL', 'varchar(14)', 'phone', true),
      c('LO', 'smallint', 'lowest grade'),
      c('HI', 'smallint', 'highest grade'),
      c('PR', 'varchar(40)', 'principal', true),
      c('SCS', 'varchar(7)', 'state school code', true),
      DEL,
    ],
  },
  {
    name: 'STU',
    doc: 'students, one row per student per school',
    key: ['SC', 'SN'],
    columns: [
      c('SC', 'smallint', 'school code'),
      c('SN', 'int', 'student number within the school'),
      c('ID', 'int', 'permanent (district) student ID'),
      c('CID', 'varchar(10)', 'statewide student ID (SSID)', true),
      c('LN', 'varchar(50)', 'last name'),
      c('FN', 'varchar(50)', 'first name'),
      c('MN', 'varchar(50)', 'middle name', true),
      c('NM', 'varchar(50)', 'nickname', true),
      c('GR', 'smallint', 'grade (negative below kindergarten, 0 kindergarten)'),
      c('SX', 'varchar(1)', 'sex'),
      c('BD', 'date', 'birth date', true),
      c('TG', 'varchar(1)', "inactive tag: blank = active, a code otherwise"),
      c('ENR', 'date', 'school enter date', true),
      c('LD', 'date', 'leave date', true),
      c('TE', 'varchar(30)', 'homeroom teacher name', true),
      c('TN', 'smallint', 'homeroom teacher number', true),
      c('RM', 'varchar(6)', 'room', true),
      c('SEM', 'varchar(100)', 'student e-mail', true),
      c('PEM', 'varchar(100)', 'parent e-mail', true),
      c('AD', 'varchar(50)', 'street address', true),
      c('CY', 'varchar(20)', 'city', true),
      c('ST', 'varchar(2)', 'state', true),
      c('ZC', 'varchar(10)', 'zip code', true),
      c('TL', 'varchar(14)', 'phone', true),
      c('HL', 'varchar(2)', 'home language code', true),
      c('ETH', 'varchar(1)', 'Hispanic/Latino ethnicity (Y/N)', true),
      c('RC1', 'varchar(3)', 'race code 1', true),
      DEL,
    ],
  },
  {
    name: 'STF',
    doc: 'staff (district-wide)',
    key: ['ID'],
    columns: [
      c('ID', 'int', 'staff ID'),
      c('LN', 'varchar(50)', 'last name'),
      c('FN', 'varchar(50)', 'first name'),
      c('MN', 'varchar(50)', 'middle name', true),
      c('EM', 'varchar(100)', 'e-mail', true),
      c('PSC', 'smallint', 'primary school code'),
      c('TI', 'varchar(30)', 'title', true),
      c('TG', 'varchar(1)', 'inactive tag: blank = active'),
      DEL,
    ],
  },
  {
    name: 'TCH',
    doc: 'teachers per school',
    key: ['SC', 'TN'],
    columns: [
      c('SC', 'smallint', 'school code'),
      c('TN', 'smallint', 'teacher number'),
      c('TE', 'varchar(30)', 'teacher name'),
      c('ID', 'int', 'staff ID (→ STF.ID)', true),
      c('EM', 'varchar(100)', 'e-mail', true),
      DEL,
    ],
  },
  {
    name: 'CRS',
    doc: 'courses (district catalog)',
    key: ['CN'],
    columns: [
      c('CN', 'varchar(6)', 'course number'),
      c('CO', 'varchar(30)', 'course title'),
      c('DE', 'varchar(3)', 'department code', true),
      c('SUB', 'varchar(10)', 'subject code', true),
      c('LO', 'smallint', 'lowest grade', true),
      c('HI', 'smallint', 'highest grade', true),
      DEL,
    ],
  },
  {
    name: 'MST',
    doc: 'master schedule (sections)',
    key: ['SC', 'SE'],
    columns: [
      c('SC', 'smallint', 'school code'),
      c('SE', 'smallint', 'section number'),
      c('CN', 'varchar(6)', 'course number (→ CRS.CN)'),
      c('TN', 'smallint', 'teacher number (→ TCH.TN)'),
      c('PD', 'smallint', 'period'),
      c('RM', 'varchar(6)', 'room', true),
      c('SM', 'varchar(1)', 'term code (→ TRM.TM)'),
      DEL,
    ],
  },
  {
    name: 'SEC',
    doc: 'student class enrollments',
    key: ['SC', 'SN', 'SE'],
    columns: [c('SC', 'smallint', 'school code'), c('SN', 'int', 'student number'), c('SE', 'smallint', 'section number'), DEL],
  },
  {
    name: 'TRM',
    doc: 'terms',
    key: ['SC', 'TM'],
    columns: [
      c('SC', 'smallint', 'school code'),
      c('TM', 'varchar(1)', 'term code'),
      c('TD', 'varchar(30)', 'term description'),
      c('BD', 'date', 'begin date'),
      c('ED', 'date', 'end date'),
    ],
  },
  {
    name: 'ENR',
    doc: 'enrollment history',
    key: ['ID', 'SC', 'YR', 'ED'],
    columns: [
      c('SC', 'smallint', 'school code'),
      c('ID', 'int', 'permanent student ID'),
      c('YR', 'varchar(4)', 'school year, e.g. 2526'),
      c('ED', 'date', 'enter date'),
      c('LD', 'date', 'leave date', true),
      c('GR', 'smallint', 'grade'),
      c('ER', 'varchar(4)', 'enter code', true),
      c('LR', 'varchar(4)', 'leave code', true),
    ],
  },
  {
    name: 'CSE',
    doc: 'special education, one row per student',
    key: ['ID'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('CID', 'varchar(10)', 'SSID the record was matched by', true),
      c('DI', 'varchar(3)', 'disability 1 code', true),
      c('D2', 'varchar(3)', 'disability 2 code', true),
      c('PS', 'varchar(3)', 'special education program setting code', true),
      c('EP', 'varchar(3)', 'education plan type code', true),
      c('RD', 'date', 'referral date', true),
      c('MD', 'date', 'last meeting date', true),
      c('MT', 'varchar(2)', 'meeting type code', true),
      c('XD', 'date', 'exit date', true),
      c('XR', 'varchar(3)', 'exit reason code', true),
      c('CM', 'varchar(30)', 'case manager', true),
      DEL,
    ],
  },
  {
    name: 'CSV',
    doc: 'special-education services',
    key: ['ID', 'SQ'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('SQ', 'smallint', 'sequence number'),
      c('SV', 'varchar(3)', 'service code'),
      c('PV', 'varchar(3)', 'provider type code', true),
      c('LC', 'varchar(3)', 'service location code', true),
      c('FQ', 'varchar(10)', 'frequency', true),
      c('DU', 'smallint', 'duration in minutes', true),
      c('SD', 'date', 'start date', true),
      c('ED', 'date', 'end date', true),
      DEL,
    ],
  },
];

export const AERIES_CATALOG: ReadonlyMap<string, CatalogTable> = new Map(AERIES_TABLES.map((t) => [t.name, t]));
