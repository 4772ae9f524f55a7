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
  // Records transfer (district to district): the tables a prior district sends. Keyed by the
  // permanent student ID plus what identifies the record, so a re-sent record updates in place.
  {
    name: 'TST',
    doc: 'test scores, one row per student, test, part and administration',
    key: ['ID', 'TA', 'PT', 'TD'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('TA', 'varchar(8)', 'test ID, e.g. SBAC-ELA, ELPAC'),
      c('PT', 'smallint', 'test part (0 = overall)'),
      c('TD', 'date', 'test date'),
      c('GR', 'smallint', 'grade when tested'),
      c('RS', 'smallint', 'raw score', true),
      c('SS', 'smallint', 'scale score', true),
      c('PL', 'varchar(2)', 'performance level code', true),
      c('SCL', 'smallint', 'school code where tested', true),
      DEL,
    ],
  },
  {
    name: 'CST',
    doc: 'content-standard scores, one row per student, test administration and standard',
    key: ['ID', 'TA', 'TD', 'CS'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('TA', 'varchar(8)', 'test ID (→ TST.TA)'),
      c('TD', 'date', 'test date (→ TST.TD)'),
      c('CS', 'varchar(12)', 'content standard or claim code'),
      c('PL', 'varchar(2)', 'standard performance level (1 below, 2 near, 3 above)', true),
      c('PC', 'smallint', 'percent correct', true),
      DEL,
    ],
  },
  {
    name: 'CTS',
    doc: 'college entrance and placement test scores (SAT, ACT, AP)',
    key: ['ID', 'TI', 'TS', 'TD'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('TI', 'varchar(4)', 'test: SAT, ACT, AP'),
      c('TS', 'varchar(8)', 'subtest or AP exam code, e.g. EBRW, MATH, CALCAB'),
      c('TD', 'date', 'test date'),
      c('SCR', 'smallint', 'score'),
      c('GR', 'smallint', 'grade when tested', true),
      DEL,
    ],
  },
  {
    name: 'HIS',
    doc: 'course history (transcript), one row per course mark',
    key: ['ID', 'SQ'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('SQ', 'smallint', 'sequence number within the student\'s history'),
      c('YR', 'varchar(4)', 'school year, e.g. 2425'),
      c('SCL', 'smallint', 'school code where taken'),
      c('SNM', 'varchar(30)', 'school name where taken', true),
      c('GR', 'smallint', 'grade when taken'),
      c('TE', 'varchar(1)', 'term: F, S or Y'),
      c('CN', 'varchar(6)', 'course number'),
      c('CO', 'varchar(30)', 'course title'),
      c('MK', 'varchar(3)', 'mark (A+ … F, P, NP)'),
      c('CR', 'decimal(5,2)', 'credit attempted'),
      c('CC', 'decimal(5,2)', 'credit completed'),
      DEL,
    ],
  },
  // Further records-transfer tables are data only: list them here and the catalog, the checker,
  // the table sinks and `sisflow grants` know them (the demo district leaves them empty).
  {
    name: 'IMM',
    doc: 'immunizations, one row per student, vaccine and dose',
    key: ['ID', 'VC', 'DS'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('VC', 'varchar(6)', 'vaccine code, e.g. DTAP, MMR, POLIO'),
      c('DS', 'smallint', 'dose number'),
      c('DT', 'date', 'date given', true),
      c('EX', 'varchar(2)', 'exemption code', true),
      DEL,
    ],
  },
  {
    name: 'LAC',
    doc: 'language assessment (English learner status and assessment)',
    key: ['ID'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('LF', 'varchar(1)', 'language fluency: E, I, L (EL), R (RFEP), T'),
      c('L1', 'varchar(2)', 'primary language code', true),
      c('ED', 'date', 'date first enrolled in a US school', true),
      c('RD', 'date', 'reclassification date', true),
      c('OL', 'varchar(2)', 'overall ELPAC level', true),
      DEL,
    ],
  },
  {
    name: 'PFT',
    doc: 'physical fitness test results',
    key: ['ID', 'TD'],
    columns: [
      c('ID', 'int', 'permanent student ID'),
      c('TD', 'date', 'test date'),
      c('GR', 'smallint', 'grade when tested'),
      c('AC', 'varchar(2)', 'aerobic capacity result code', true),
      c('BC', 'varchar(2)', 'body composition result code', true),
      c('AS', 'varchar(2)', 'abdominal strength result code', true),
      DEL,
    ],
  },
];

export const AERIES_CATALOG: ReadonlyMap<string, CatalogTable> = new Map(AERIES_TABLES.map((t) => [t.name, t]));
