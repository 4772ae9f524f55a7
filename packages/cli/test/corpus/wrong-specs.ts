// A corpus of realistic wrong specs: each is one of the shipped example specs (copied into bases/
// so this corpus does not move when the examples do) with one mistake a person makes by hand.
// Each names the code it must produce and the line it must be reported at: `at` is a text that
// first occurs on that line of the wrong spec (by default the first line of the edit itself).
import { readFileSync } from 'node:fs';
import type { DiagnosticCode } from '@sisflow/core';

export type Base = 'destiny' | 'siras' | 'oneroster' | 'siras-export' | 'oneroster-api' | 'destiny-mssql';

export interface WrongSpec {
  name: string;
  base: Base;
  text: string;
  code: DiagnosticCode;
  line: number;
  options?: { profile?: string; params?: Record<string, string> };
}

const read = (name: string) => readFileSync(new URL(`./bases/${name}.yaml`, import.meta.url), 'utf8');

const MSSQL = `  aeries:
    use: mssql
    server: sis.district.example
    database: DST26000AUSD
    user: sisflow_destiny
    password: \${secret:aeries_sql_password}
`;

export const BASES: Record<Base, string> = {
  destiny: read('destiny'),
  siras: read('siras'),
  oneroster: read('oneroster'),
  'siras-export': read('siras-export'),
  'oneroster-api': read('oneroster-api'),
  'destiny-mssql': read('destiny').replace('  aeries:\n    use: sqlite\n    demo: true\n', MSSQL),
};

/** The 1-based line where `anchor` first occurs in text (after `after`, when given). */
export function lineOf(text: string, anchor: string, after = 0): number {
  const at = text.indexOf(anchor, after);
  if (at < 0) throw new Error(`anchor not found: ${JSON.stringify(anchor)}`);
  return text.slice(0, at).split('\n').length;
}

type Edit = [from: string, to: string];

/** For problems of the command line, which have no place in the spec. */
export const NO_LINE = '(no line)';

interface CaseInit {
  /** A text on the expected line; the first line of the (first) edit's new text when omitted. */
  at?: string;
  options?: WrongSpec['options'];
}

function wrong(name: string, base: Base, edits: Edit | Edit[], code: DiagnosticCode, init: CaseInit = {}): WrongSpec {
  const list: Edit[] = Array.isArray(edits[0]) ? (edits as Edit[]) : [edits as Edit];
  let text = BASES[base];
  let editAt = -1;
  for (const [from, to] of list) {
    const i = text.indexOf(from);
    if (i < 0) throw new Error(`case "${name}": ${JSON.stringify(from)} is not in ${base}`);
    text = text.slice(0, i) + to + text.slice(i + from.length);
    if (editAt < 0) editAt = i;
  }
  const [, firstTo] = list[0]!;
  const firstLine = firstTo.split('\n').find((l) => l.trim() !== '') ?? firstTo;
  const line = init.at === NO_LINE ? 0 : init.at !== undefined ? lineOf(text, init.at) : lineOf(text, firstLine.trimEnd(), Math.max(0, editAt - 1));
  return { name, base, text, code, line, ...(init.options ? { options: init.options } : {}) };
}

/** Removes `n` spaces of indentation from the line holding `anchor`. */
function dedentLine(base: Base, anchor: string, n = 2): Edit {
  const text = BASES[base];
  const start = text.lastIndexOf('\n', text.indexOf(anchor)) + 1;
  const end = text.indexOf('\n', start);
  const line = text.slice(start, end);
  return [line + '\n', line.slice(n) + '\n'];
}

const SIRAS_TEST = `tests:
  - name: a student is matched by SSID and gets Aeries' ID; codes and dates carry over`;

export const WRONG_SPECS: WrongSpec[] = [
  // ── YAML structure: one root error where the indentation breaks ──
  wrong('one column line dedented by two', 'destiny', dedentLine('destiny', 'Last Name: LN\n'), 'SF101', { at: '    Last Name: LN' }),
  wrong('one column line dedented in staff', 'destiny', dedentLine('destiny', "Barcode: \"'T' || text(ID)\""), 'SF101', { at: "  Barcode: \"'T'" }),
  wrong('columns block dedented as a whole', 'destiny', ['    columns:\n      Site Short Name: coalesce(school.SNM, text(SC))', '  columns:\n      Site Short Name: coalesce(school.SNM, text(SC))'], 'SF118', { at: '  columns:\n      Site Short Name: coalesce(school.SNM, text(SC))' }),
  wrong('a tab before a column', 'destiny', ['      First Name: FN\n      Middle Name: coalesce(MN, \'\')\n      Nickname: coalesce(NM', "      First Name: FN\n\tMiddle Name: coalesce(MN, '')\n      Nickname: coalesce(NM"], 'SF103', { at: '\tMiddle Name' }),
  wrong('a tab before a source key', 'siras', ['    line_column: Line', '\tline_column: Line'], 'SF103'),
  wrong('a key over-indented under a value', 'destiny', ['    table: LOC\n', '    table: LOC\n      columns: [CD]\n'], 'SF101', { at: '      columns: [CD]' }),
  wrong('where of a source dedented to the sources level', 'destiny', ['    columns: [CD, NM, SNM]\n    where: not DEL\n', '    columns: [CD, NM, SNM]\n  where: not DEL\n'], 'SF118', { at: '  where: not DEL' }),
  wrong('dedupe moved to the top level', 'destiny', [['    dedupe: { key: District ID, keep: first }\n', ''], ['\noutputs:', '\ndedupe: { key: District ID, keep: first }\noutputs:']], 'SF118', { at: 'dedupe: { key' }),
  wrong('lookup block dedented', 'siras', ['    lookup:\n      stu: { from: students, key: CID, on: SSID, required: true }   # unmatched', '  lookup:\n      stu: { from: students, key: CID, on: SSID, required: true }   # unmatched'], 'SF101', { at: '  lookup:\n      stu: { from: students, key: CID, on: SSID, required: true }   # unmatched' }),
  wrong('rules block dedented', 'siras', ['    rules:\n      - check: DU is null', '  rules:\n      - check: DU is null'], 'SF118', { at: '  rules:\n      - check: DU is null' }),
  wrong('an output setting dedented', 'destiny', ['    line_ending: crlf', '  line_ending: crlf'], 'SF101'),
  wrong('a step dedented to the top level', 'oneroster', ['  orgs: { union: [district_org, school_orgs] }', 'orgs: { union: [district_org, school_orgs] }'], 'SF101'),
  wrong('a list item indented like the keys above it', 'destiny', ['      - max_length:\n', '        - max_length:\n'], 'SF101'),
  wrong('an output key not indented under the output', 'destiny', ['  patrons_csv:\n    from: patrons\n', '  patrons_csv:\n  from: patrons\n'], 'SF101', { at: '  from: patrons' }),
  wrong('a source setting dedented', 'destiny', ['    table: STF\n', '  table: STF\n'], 'SF101'),
  wrong('a CSV columns block dedented', 'siras', ['    columns:\n      SSID: string\n      Service Code', '  columns:\n      SSID: string\n      Service Code'], 'SF101'),
  wrong('a where over-indented under a flow list', 'destiny', ['    columns: [CD, NM, SNM]\n    where: not DEL\n', '    columns: [CD, NM, SNM]\n      where: not DEL\n'], 'SF101', { at: '      where: not DEL' }),
  wrong('a tab in a parameter', 'destiny', ['    type: int\n    default: 2027\n', '\ttype: int\n    default: 2027\n'], 'SF103'),
  wrong('a notification setting dedented', 'siras', ['    recipients: [sped-office@district.example]', '  recipients: [sped-office@district.example]'], 'SF101'),
  wrong('unclosed flow mapping', 'oneroster', ['  bundle: { use: oneroster-csv, path: out/oneroster.zip }', '  bundle: { use: oneroster-csv, path: out/oneroster.zip'], 'SF101', { at: 'sources:\n' }),
  wrong('unclosed single quote', 'destiny', ["      Nickname: coalesce(NM, '')", "      Nickname: 'coalesce(NM, '')"], 'SF101'),
  wrong('duplicate column key', 'destiny', ['      Barcode: text(ID)\n', '      Barcode: text(ID)\n      Barcode: "\'B\' || text(ID)"\n'], 'SF102', { at: 'Barcode: "\'B\'' }),
  wrong('duplicate source name', 'oneroster', ['  teachers: { from: aeries, table: TCH', '  staff: { from: aeries, table: TCH'], 'SF102'),
  wrong('a list item dedented out of its rule', 'destiny', ['      - one_of: { Gender: [M, F, U], Status: [A, I] }', '    - one_of: { Gender: [M, F, U], Status: [A, I] }'], 'SF101'),
  wrong('two documents in one file', 'oneroster', ['\nconnections:', '\n---\nconnections:'], 'SF104', { at: '---' }),
  wrong('a key without its colon', 'siras', ['    path: ${param:service_file}', '    path ${param:service_file}'], 'SF101'),
  wrong('a column under a value key', 'destiny', ['      Email 1: coalesce(normalize_email(SEM), \'\')\n', '      Email 1: coalesce(normalize_email(SEM), \'\')\n        Email 2: "\'\'"\n'], 'SF101', { at: '        Email 2' }),

  // ── the language schema ──
  wrong('misspelled columns key', 'destiny', ['  staff_patrons:\n    from: staff\n    lookup:\n      school: { from: schools, key: CD, on: PSC, required: true }\n    columns:', '  staff_patrons:\n    from: staff\n    lookup:\n      school: { from: schools, key: CD, on: PSC, required: true }\n    colums:'], 'SF110', { at: '    colums:' }),
  wrong('misspelled lookup key', 'siras', ['    lookup:\n      file:', '    lookups:\n      file:'], 'SF110'),
  wrong('misspelled required in a lookup', 'oneroster', ['course: { from: courses_table, key: CN, on: CN, required: true }', 'course: { from: courses_table, key: CN, on: CN, requierd: true }'], 'SF110'),
  wrong('misspelled description', 'siras', ['    description: the import log', '    descripton: the import log'], 'SF401'),
  wrong('a key of outputs written in rejects', 'destiny', ['  to: destiny\n  path: patrons.rejects.csv', '  to: destiny\n  from: patrons\n  path: patrons.rejects.csv'], 'SF110', { at: '  from: patrons\n  path: patrons.rejects' }),
  wrong('unknown top-level key', 'destiny', ['\nrejects:\n', '\nreject:\n'], 'SF110', { at: 'reject:' }),
  wrong('lookup without key', 'siras', ['      stu: { from: students, key: ID, on: ID }', '      stu: { from: students, on: ID }'], 'SF111'),
  wrong('output without to', 'siras', ['  not_in_file:\n    from: not_in_file\n    to: logs\n', '  not_in_file:\n    from: not_in_file\n'], 'SF111', { at: '  not_in_file:\n    from: not_in_file' }),
  wrong('required as yes (YAML 1.2 text)', 'destiny', ['school: { from: schools, key: CD, on: SC, required: true }', 'school: { from: schools, key: CD, on: SC, required: yes }'], 'SF112'),
  wrong('dedupe keep not allowed', 'destiny', ['keep: first }', 'keep: newest }'], 'SF113'),
  wrong('notify when not allowed', 'siras', ['    attach: [imported, not_in_file, rejects]', '    attach: [imported, not_in_file, rejects]\n    when: sometimes'], 'SF113', { at: '    when: sometimes' }),
  wrong('job name with capitals', 'siras', ['name: siras-import', 'name: SIRAS Import'], 'SF114'),
  wrong('wrong language version', 'oneroster', ['sisflow: 1', 'sisflow: 2'], 'SF116'),
  wrong('rejects max as words', 'destiny', ['max: 2%', 'max: two percent'], 'SF112'),
  wrong('rejects max over 100 %', 'destiny', ['max: 2%', 'max: 150%'], 'SF115'),
  wrong('rejects max negative', 'siras', ['max: 5 ', 'max: -5 '], 'SF112'),
  wrong('union of one input', 'oneroster', ['  orgs: { union: [district_org, school_orgs] }', '  orgs: { union: [district_org] }'], 'SF115'),
  wrong('schedule without a timezone', 'siras', ['  timezone: America/Los_Angeles\n', ''], 'SF111', { at: 'schedule:' }),
  wrong('step with from and union', 'oneroster', ['  orgs: { union: [district_org, school_orgs] }', '  orgs: { from: schools, union: [district_org, school_orgs] }'], 'SF117'),
  wrong('max_length of zero', 'destiny', ['          Barcode: 14', '          Barcode: 0'], 'SF115'),
  wrong('params type written as a number', 'siras-export', ['    type: list<int>', '    type: 5'], 'SF112'),
  wrong('source not a mapping', 'oneroster', ['  teachers: { from: aeries, table: TCH, columns: [SC, TN, ID], where: not DEL }', '  teachers: aeries.TCH'], 'SF112'),
  wrong('lookup on as a number', 'siras', ['      file: { from: sped_file, key: SSID, on: CID }', '      file: { from: sped_file, key: SSID, on: 5 }'], 'SF112'),
  wrong('test without expect', 'destiny', ['    expect:\n      patrons:\n        - { Barcode: "1", Status: I }\n', ''], 'SF111', { at: '  - name: inactive students, when selected' }),
  wrong('rule with two kinds', 'destiny', ['      - required: [Site Short Name, Barcode, District ID, Last Name]', '      - required: [Site Short Name, Barcode, District ID, Last Name]\n        unique: Barcode'], 'SF117', { at: '      - required: [Site Short Name' }),
  wrong('check rule without a message', 'siras', ['        message: the exit date is before the referral date\n', ''], 'SF111', { at: '      - check: XD is null or RD is null' }),

  // ── names and references ──
  wrong('unknown connection in a source', 'destiny', ['  staff:\n    from: aeries', '  staff:\n    from: aeris'], 'SF201', { at: '    from: aeris' }),
  wrong('unknown connection in an output', 'siras', ['    to: logs\n    path: siras-imported.csv', '    to: log\n    path: siras-imported.csv'], 'SF201'),
  wrong('unknown connection for rejects', 'destiny', ['  to: destiny\n  path: patrons.rejects.csv', '  to: destiny_out\n  path: patrons.rejects.csv'], 'SF201'),
  wrong('unknown step in an output', 'oneroster', ['from: orgs', 'from: org'], 'SF202'),
  wrong('unknown step as input', 'destiny', ['    union: [student_patrons, staff_patrons]', '    union: [student_patrons, staf_patrons]'], 'SF202'),
  wrong('unknown lookup source', 'siras', ['      stu: { from: students, key: ID, on: ID }', '      stu: { from: student, key: ID, on: ID }'], 'SF202'),
  wrong('unknown attachment', 'siras', ['    attach: [imported, not_in_file, rejects]', '    attach: [imported, not_in_files, rejects]'], 'SF202'),
  wrong('a step reads itself', 'oneroster', ['  orgs: { union: [district_org, school_orgs] }', '  orgs: { union: [district_org, orgs] }'], 'SF203'),
  wrong('unknown connector', 'destiny', ['    use: files', '    use: file'], 'SF205'),
  wrong('unknown connector in a profile', 'destiny', ['        use: mssql', '        use: sqlserver'], 'SF205'),
  wrong('unknown profile on the command line', 'destiny', ['name: destiny-patrons', 'name: destiny-patrons'], 'SF207', { at: '(no line)', options: { profile: 'prod' } }),
  wrong('unknown Aeries table', 'destiny', ['    table: STF', '    table: STAFF'], 'SF209'),
  wrong('unknown Aeries column', 'destiny', ['columns: [CD, NM, SNM]', 'columns: [CD, NAME, SNM]'], 'SF208'),
  wrong('lookup key not a column of the lookup', 'siras', ['      file: { from: sped_file, key: SSID, on: CID }', '      file: { from: sped_file, key: CID, on: CID }'], 'SF208'),
  wrong('dedupe on an unknown column', 'destiny', ['dedupe: { key: District ID, keep: first }', 'dedupe: { key: DistrictID, keep: first }'], 'SF208'),
  wrong('rule on an unknown column', 'destiny', ['      - required: [Site Short Name, Barcode, District ID, Last Name]', '      - required: [Site Short Name, Barcode, District ID, LastName]'], 'SF208'),
  wrong('max_length on an unknown column', 'destiny', ['          Email 1: 200', '          Email: 200'], 'SF208'),
  wrong('one_of on an unknown column', 'destiny', ['      - one_of: { Gender: [M, F, U], Status: [A, I] }', '      - one_of: { Sex: [M, F, U], Status: [A, I] }'], 'SF208'),
  wrong('numbering within an unknown column', 'siras', ['    number: { within: ID, as: SQ }', '    number: { within: STUID, as: SQ }'], 'SF208'),
  wrong('numbering into an existing column', 'siras', ['    number: { within: ID, as: SQ }', '    number: { within: ID, as: SV }'], 'SF117'),
  wrong('key column the output does not have', 'siras', ['    key: [ID]        # one special-ed row', '    key: [STID]        # one special-ed row'], 'SF208'),
  wrong('delete_missing within an unknown column', 'siras', ['    delete_missing: { within: [ID] }', '    delete_missing: { within: [Student] }'], 'SF208'),
  wrong('output into an unknown Aeries table', 'siras', ['    table: CSV\n', '    table: CSVC\n'], 'SF209'),
  wrong('output column the table does not have', 'siras', ['      XR: XR\n      DEL', '      XRR: XR\n      DEL'], 'SF208', { at: '    table: CSE\n    key: [ID]' }),
  wrong('undeclared param in a setting', 'siras', ['    path: ${param:service_file}', '    path: ${param:services_file}'], 'SF210'),
  wrong('param of a profile not declared', 'oneroster', ['\nconnections:', '\nprofiles:\n  test:\n    params: { districtname: Test }\nconnections:'], 'SF210', { at: 'districtname' }),
  wrong('a test sets an undeclared param', 'destiny', ['    params: { as_of: 2026-09-01, statuses: [inactive] }', '    params: { as_of: 2026-09-01, status: [inactive] }'], 'SF210'),
  wrong('malformed env reference', 'siras-export', ['    base_url: ${env:AERIES_API_URL}', '    base_url: ${env:AERIES_API_URL'], 'SF212'),
  wrong('secret reference with a typo', 'destiny', ['password: ${secret:aeries_sql_password}', 'password: ${secrets:aeries_sql_password}'], 'SF212'),
  wrong('union inputs with other columns', 'oneroster', ["title: TD, type: \"'term'\"", "titel: TD, type: \"'term'\""], 'SF213', { at: '  sessions: { union' }),
  wrong('union inputs with other types', 'oneroster', ['startDate: BD, endDate: ED', 'startDate: text(BD), endDate: ED'], 'SF213', { at: '  sessions: { union' }),
  wrong('unused source', 'oneroster', ['  teachers: { from: aeries', '  teachers_old: { from: aeries, table: TCH }\n  teachers: { from: aeries'], 'SF204'),
  wrong('unused step', 'siras', ['\noutputs:\n', '\n  spare:\n    from: matched\noutputs:\n'], 'SF215', { at: '  spare:' }),
  wrong('unknown param type', 'siras', ['    type: string\n    default: tableB.csv', '    type: text\n    default: tableB.csv'], 'SF216'),
  wrong('cron with six fields of nonsense', 'destiny', ['  cron: "30 5 * * 1-5"', '  cron: "30 5 * * MON-FRY"'], 'SF217'),
  wrong('cron hour out of range', 'siras', ['  cron: "0 4 * * 1-5"', '  cron: "0 24 * * 1-5"'], 'SF217'),
  wrong('cron with four fields', 'siras', ['  cron: "0 4 * * 1-5"', '  cron: "0 4 * *"'], 'SF217'),
  wrong('time zone that does not exist', 'destiny', ['  timezone: America/Los_Angeles', '  timezone: America/San_Francisco'], 'SF217'),
  wrong('test gives rows for a step', 'siras', ['      students:\n        - { ID: 100002', '      stu:\n        - { ID: 100002'], 'SF218'),
  wrong('test expects an unknown step', 'siras', ['      matched:\n        - { Student ID: 100002', '      match:\n        - { Student ID: 100002'], 'SF218'),
  wrong('test expects an unknown column', 'destiny', ['        - { Barcode: "2", Grade Level: KG, Status: A }', '        - { Barcode: "2", Grade: KG, Status: A }'], 'SF208'),
  wrong('test gives an unknown column', 'siras', ['        - { ID: 2, CID: "2", LN: D, FN: C, GR: 1 }', '        - { ID: 2, CID: "2", LN: D, FN: C, GRADE: 1 }'], 'SF208'),
  wrong('required param without a value', 'siras-export', ['    default: [991, 992, 993, 994, 995]\n', ''], 'SF219', { at: '  schools:' }),
  wrong('unused parameter', 'oneroster', ['  year_end: { type: date, default: 2027-06-04 }\n', '  year_end: { type: date, default: 2027-06-04 }\n  year_mid: { type: date, default: 2027-01-15 }\n'], 'SF220', { at: '  year_mid' }),

  // ── parameter values, checked where they are written ──
  wrong('default off its values', 'siras', ['    default: tableA.csv', '    default: tableC.csv'], 'SF211'),
  wrong('default off its pattern', 'siras', ['    default: "0000000"', '    default: "000000"'], 'SF211'),
  wrong('default of the wrong type', 'destiny', ['    default: 2027\n', '    default: twenty-seven\n'], 'SF211'),
  wrong('list default with a wrong item', 'destiny', ['    default: [991, 992, 993, 994, 995]', '    default: [991, 992, nine, 994, 995]'], 'SF211'),
  wrong('date default not a date', 'destiny', ['    default: 2027-06-30', '    default: 06/30/2027'], 'SF211'),
  wrong('status default off its values', 'destiny', ['    default: [active, pre-enrolled]', '    default: [active, enrolled]'], 'SF211'),
  wrong('production profile CDS code off its pattern', 'siras', ['      district_cds_code: "0000000"   # your CDS code here', '      district_cds_code: "1964733-00"   # your CDS code here'], 'SF211'),
  wrong('profile value off its values', 'siras', ['      district_cds_code: "0000000"   # your CDS code here', '      district_cds_code: "0000000"   # your CDS code here\n      student_file: studentdata.csv'], 'SF211', { at: 'student_file: studentdata.csv' }),
  wrong('profile value of the wrong type', 'oneroster', ['\nconnections:', '\nprofiles:\n  next:\n    params: { school_year: "2028-29" }\nconnections:'], 'SF211', { at: 'school_year: "2028-29"' }),
  wrong('test param of the wrong type', 'destiny', ['    params: { as_of: 2026-09-01, statuses: [inactive] }', '    params: { as_of: September, statuses: [inactive] }'], 'SF211'),
  wrong('test param off its values', 'destiny', ['    params: { as_of: 2026-09-01, statuses: [inactive] }', '    params: { as_of: 2026-09-01, statuses: [Inactive] }'], 'SF211'),
  wrong('command-line value of the wrong type', 'destiny', ['name: destiny-patrons', 'name: destiny-patrons'], 'SF501', { at: '(no line)', options: { params: { school_year_end: '2027-28' } } }),
  wrong('command-line value off the values', 'destiny', ['name: destiny-patrons', 'name: destiny-patrons'], 'SF501', { at: '(no line)', options: { params: { statuses: 'active,enrolled' } } }),
  wrong('command-line param not declared', 'siras', ['name: siras-import', 'name: siras-import'], 'SF210', { at: '(no line)', options: { params: { cds: '1964733' } } }),
  wrong('a list param inside a path', 'siras-export', ['    dir: out', '    dir: out/${param:schools}'], 'SF211'),
  wrong('$name in a setting', 'siras', ['    path: ${param:student_file}', '    path: $student_file'], 'SF223'),
  wrong('$name inside a folder setting', 'destiny', ['    dir: out\n', '    dir: out/$school_year_end\n'], 'SF223'),

  // ── expressions ──
  wrong('syntax error: unclosed parenthesis', 'destiny', ["      Middle Name: coalesce(MN, '')\n      Nickname: coalesce(NM, '')\n      Patron Type", "      Middle Name: coalesce(MN, ''\n      Nickname: coalesce(NM, '')\n      Patron Type"], 'SF301'),
  wrong('syntax error: operator with no right side', 'siras', ['    where: file.SSID is null', '    where: file.SSID ='], 'SF301'),
  wrong('syntax error: a missing comma', 'siras-export', ["    where: coalesce(InactiveStatusCode, '') = ''", "    where: coalesce(InactiveStatusCode '') = ''"], 'SF301'),
  wrong('text in double quotes inside an expression', 'destiny', ["where: PSC in $schools and TG = '' and not DEL", 'where: PSC in $schools and TG = "" and not DEL'], 'SF302'),
  wrong('unknown column', 'destiny', ['      Last Name: LN\n      First Name: FN\n      Middle Name: coalesce(MN', '      Last Name: LNAME\n      First Name: FN\n      Middle Name: coalesce(MN'], 'SF302'),
  wrong('unknown column in a source filter', 'oneroster', ["where: not DEL and TG = '' }\n  teachers", "where: not DELETED and TG = '' }\n  teachers"], 'SF302'),
  wrong('lookup column written without its alias', 'destiny', ['Site Short Name: coalesce(school.SNM, text(SC))', 'Site Short Name: coalesce(SNM, text(SC))'], 'SF302'),
  wrong('constant with YAML quotes only', 'destiny', ["      Patron Type: \"'Student'\"", '      Patron Type: "Student"'], 'SF302'),
  wrong('constant without any quotes', 'destiny', ["      Access Level: \"'Student'\"", '      Access Level: Student'], 'SF302'),
  wrong('two-word constant with YAML quotes only', 'destiny', ["      Status: \"'A'\"", '      Status: "Active Staff"'], 'SF301'),
  wrong('unknown function', 'destiny', ['Grade Level: grade_label(GR)', 'Grade Level: grade_lable(GR)'], 'SF303'),
  wrong('a function from another language', 'oneroster', ["username: coalesce(normalize_email(SEM), 'stu' || text(ID))", "username: coalesce(normalize_email(SEM), 'stu' || to_char(ID))"], 'SF303'),
  wrong('isnull instead of coalesce', 'siras-export', ["      Gender: coalesce(Sex, '')", "      Gender: isnull(Sex, '')"], 'SF303'),
  wrong('too few arguments', 'destiny', ['Email 1: coalesce(normalize_email(SEM), \'\')', 'Email 1: coalesce(normalize_email(), \'\')'], 'SF304'),
  wrong('too many arguments', 'destiny', ["Card Expires: format_date($card_expires, 'MM/dd/yyyy')\n      Graduation Year: \"''\"", "Card Expires: format_date($card_expires, 'MM/dd/yyyy', 'en')\n      Graduation Year: \"''\""], 'SF304'),
  wrong('text into grade_label', 'siras-export', ['      Grade: grade_label(Grade)', '      Grade: grade_label(LastName)'], 'SF305'),
  wrong('number into upper', 'oneroster', ['      familyName: LN', '      familyName: upper(ID)'], 'SF305'),
  wrong('comparing text with a number', 'destiny', ['      Patron Type: "if(coalesce(TI, \'\') = \'Teacher\'', '      Patron Type: "if(coalesce(TI, \'\') = 5'], 'SF306'),
  wrong('comparing a date with text', 'siras', ['      - check: XD is null or RD is null or XD >= RD', "      - check: XD is null or RD is null or XD >= 'yesterday'"], 'SF306'),
  wrong('adding text to a number', 'destiny', ['Graduation Year: text($school_year_end + 12 - GR)', 'Graduation Year: text($school_year_end + 12 - LN)'], 'SF306'),
  wrong('joining a number with ||', 'oneroster', ["      periods: text(PD)", "      periods: \"'P' || PD\""], 'SF306'),
  wrong('= null instead of is null', 'siras', ['    where: file.SSID is null', '    where: file.SSID = null'], 'SF306'),
  wrong('a column that would hold a list', 'destiny', ['Grade Level: grade_label(GR)', 'Grade Level: $schools'], 'SF306'),
  wrong('lookup key and on of other types', 'siras', ['      stu: { from: students, key: ID, on: ID }', '      stu: { from: students, key: ID, on: CID }'], 'SF306'),
  wrong('unknown parameter in an expression', 'destiny', ['student_status(TG, ENR, $as_of) in $statuses', 'student_status(TG, ENR, $as_of) in $status'], 'SF307'),
  wrong('nullable value into student_status as_of', 'destiny', ["Status: \"if(student_status(TG, ENR, $as_of) = 'inactive', 'I', 'A')\"", "Status: \"if(student_status(TG, ENR, ENR) = 'inactive', 'I', 'A')\""], 'SF308'),
  wrong('lookup without required feeding a key', 'siras', ['      stu: { from: students, key: CID, on: SSID, required: true }   # unmatched', '      stu: { from: students, key: CID, on: SSID }   # unmatched'], 'SF308', { at: '    key: [ID]        # one special-ed row' }),
  wrong('a name copied into a 10-character code column', 'siras', ['      SSID: SSID\n      Student ID: stu.ID', '      SSID: stu.LN\n      Student ID: stu.ID'], 'SF319', { at: '    table: CSE\n    key: [ID]' }),
  wrong('an optional lookup into a non-null table column', 'siras', [["      stu: { from: students, key: CID, on: SSID, required: true }\n    columns:\n      ID: stu.ID\n      SV: '\"Service Code\"'", "      stu: { from: students, key: CID, on: SSID, required: true }\n      opt: { from: students, key: CID, on: SSID }\n    columns:\n      ID: stu.ID\n      SV: left(opt.LN, 3)"]], 'SF308', { at: '    table: CSV\n' }),
  wrong('invalid date literal', 'siras', ['      - check: XD is null or RD is null or XD >= RD', "      - check: XD is null or RD is null or XD >= date '2026-02-30'"], 'SF309'),
  wrong('where that is not a condition', 'oneroster', ["  schools: { from: aeries, table: LOC, columns: [CD, NM], where: not DEL }", "  schools: { from: aeries, table: LOC, columns: [CD, NM], where: CD }"], 'SF311'),
  wrong('rule check that is not a condition', 'siras', ['      - check: ED is null or SD is null or ED >= SD', '      - check: coalesce(ED, SD)'], 'SF311'),
  wrong('date pattern from a column', 'siras-export', ["coalesce(format_date(Birthdate, 'MM/dd/yyyy'), '')", "coalesce(format_date(Birthdate, LastName), '')"], 'SF312'),
  wrong('case branches of other types', 'destiny', ["Gender: \"case SX when 'M' then 'M' when 'F' then 'F' else 'U' end\"", "Gender: \"case SX when 'M' then 'M' when 'F' then 'F' else 0 end\""], 'SF313'),
  wrong('unknown qualifier', 'siras', ["      Last Name: coalesce(stu.LN, '')", "      Last Name: coalesce(student.LN, '')"], 'SF314'),
  wrong('lookup column of another lookup (no chaining)', 'siras', ['      stu: { from: students, key: ID, on: ID }', '      stu: { from: students, key: ID, on: file.SSID }'], 'SF314'),
  wrong('an error in one lookup leaves the other known', 'siras', ['      file: { from: sped_file, key: SSID, on: CID }', '      file: { from: sped_file, key: SSID, on: CIDD }'], 'SF302'),
  wrong('a lookup of a broken source is not unknown', 'siras', ['    table: STU\n', '    table: STUDENT\n'], 'SF209'),
  wrong('column that a lookup lacks', 'oneroster', ['      title: course.CO', '      title: course.COURSE'], 'SF302'),

  // ── date patterns in another library's letters ──
  wrong('moment-style pattern MM/DD/YYYY', 'destiny', ["Birth Date: coalesce(format_date(BD, 'MM/dd/yyyy'), '')", "Birth Date: coalesce(format_date(BD, 'MM/DD/YYYY'), '')"], 'SF315'),
  wrong('CALPADS pattern YYYYMMDD', 'siras-export', ["coalesce(format_date(Birthdate, 'MM/dd/yyyy'), '')", "coalesce(format_date(Birthdate, 'YYYYMMDD'), '')"], 'SF315'),
  wrong('minutes for months', 'destiny', ["Card Expires: format_date($card_expires, 'MM/dd/yyyy')\n      Graduation Year: \"''\"", "Card Expires: format_date($card_expires, 'yyyy-mm-dd')\n      Graduation Year: \"''\""], 'SF315'),
  wrong('strftime pattern', 'oneroster', ["      periods: text(PD)", "      periods: format_date(date '2026-08-20', '%Y-%m-%d')"], 'SF315'),
  wrong('parse_date with a moment pattern', 'siras-export', ['      Grade: grade_label(Grade)', "      Grade: text(parse_date('08/20/2026', 'MM/DD/YYYY'))"], 'SF315'),
  wrong('CSV date_format with CCYYMMDD', 'siras', ['    date_format: yyyyMMdd   # CALPADS', '    date_format: CCYYMMDD   # CALPADS'], 'SF315'),
  wrong('CSV date_format with YYYYMMDD', 'siras', ['    date_format: yyyyMMdd\n', '    date_format: YYYYMMDD\n'], 'SF315'),

  // ── filters that can never match ──
  wrong('student status compared with a capitalised name', 'destiny', ["if(student_status(TG, ENR, $as_of) = 'inactive', 'I', 'A')", "if(student_status(TG, ENR, $as_of) = 'Inactive', 'I', 'A')"], 'SF316'),
  wrong('student status in a list with an unknown status', 'destiny', ['student_status(TG, ENR, $as_of) in $statuses', "student_status(TG, ENR, $as_of) in ['active', 'enrolled']"], 'SF316'),
  wrong('grade label compared with a number-like text', 'oneroster', ["      role: \"'student'\"", "      role: \"if(grade_label(GR) = 'K', 'kindergartner', 'student')\""], 'SF316'),
  wrong('a school that is not in the list of schools', 'destiny', ["where: PSC in $schools and TG = '' and not DEL", "where: PSC in $schools and PSC = 0 and not DEL"], 'SF317'),
  wrong('two different values for one column', 'oneroster', ["  staff: { from: aeries, table: STF, columns: [ID, LN, FN, MN, EM, PSC, TI], where: not DEL and TG = '' }", "  staff: { from: aeries, table: STF, columns: [ID, LN, FN, MN, EM, PSC, TI], where: PSC = 991 and PSC = 992 }"], 'SF317'),

  // ── spec tests ──
  wrong('two tests with one name', 'destiny', ['  - name: inactive students, when selected, are sent with status I', '  - name: inactive students are left out unless the statuses ask for them'], 'SF222'),
  wrong('a given number written as text', 'siras', ['        - { ID: 3, CID: "3", LN: F, FN: E, GR: 1 }', '        - { ID: "3", CID: "3", LN: F, FN: E, GR: 1 }'], 'SF318'),
  wrong('a given date that is not a date', 'siras', ['Student Legal Last Name: Patel, Student Birth Date: 2017-02-16', 'Student Legal Last Name: Patel, Student Birth Date: 02/16/2017'], 'SF318'),
  wrong('a given text written as a number', 'siras', ['        - { ID: 100002, CID: "1000700014", LN: Patel', '        - { ID: 100002, CID: 1000700014, LN: Patel'], 'SF318'),
  wrong('an expected date that is not a date', 'siras', ['MD: 2026-11-05, RD: 2024-06-19, DEL: false }', 'MD: 11/05/2026, RD: 2024-06-19, DEL: false }'], 'SF318'),
  wrong('an expected bool that is not a bool', 'siras', ['MD: 2026-11-05, RD: 2024-06-19, DEL: false }', 'MD: 2026-11-05, RD: 2024-06-19, DEL: "N" }'], 'SF318'),
  wrong('a given null for a non-null column', 'siras', ['        - { ID: 2, CID: "2", LN: D, FN: C, GR: 1 }', '        - { ID: null, CID: "2", LN: D, FN: C, GR: 1 }'], 'SF318'),

  // ── outputs ──
  wrong('two outputs write one file', 'siras', ['    path: siras-not-in-file.csv', '    path: siras-imported.csv'], 'SF221'),
  wrong('the rejects file is an output file', 'destiny', ['  path: patrons.rejects.csv', '  path: patrons.csv'], 'SF221'),
  wrong('text into a bit column', 'siras', ["      DEL: 'false'\n\n  services:", "      DEL: \"'N'\"\n\n  services:"], 'SF306', { at: '    table: CSE\n    key: [ID]' }),
  wrong('output path leaving its folder', 'siras', ['    path: siras-imported.csv', '    path: ../siras-imported.csv'], 'SF405'),
  wrong('output path absolute', 'siras', ['    path: siras-not-in-file.csv', '    path: /var/sisflow/siras-not-in-file.csv'], 'SF405'),
  wrong('unknown CSV setting', 'destiny', ['    spreadsheet_safe: true', '    spreadsheet_safe: true\n    delimeter: ";"'], 'SF401', { at: '    delimeter' }),
  wrong('line ending not allowed', 'destiny', ['    line_ending: crlf', '    line_ending: windows'], 'SF404'),
  wrong('quote mode not allowed', 'destiny', ['    quote: text ', '    quote: strings '], 'SF404'),
  wrong('spreadsheet_safe as text', 'destiny', ['    spreadsheet_safe: true', '    spreadsheet_safe: "yes please"'], 'SF403'),

  // ── connector settings ──
  wrong('unknown connection setting', 'siras', ['    tls: none ', '    tls: none\n    tsl_version: 1.2 '], 'SF401', { at: '    tsl_version' }),
  wrong('files without a folder', 'siras', ['  logs:\n    use: files\n    dir: out\n', '  logs:\n    use: files\n'], 'SF402', { at: '  logs:' }),
  wrong('files folder as a number', 'siras', ['  siras:\n    use: files\n    dir: sample', '  siras:\n    use: files\n    dir: 5'], 'SF403', { at: '    dir: 5' }),
  wrong('smtp port out of range', 'siras', ['    port: 25\n', '    port: 250000\n'], 'SF406'),
  wrong('smtp sender not an address', 'siras', ['    from: sisflow@district.example', '    from: sisflow at district'], 'SF405'),
  wrong('smtp recipient not an address', 'siras', ['    recipients: [sped-office@district.example]', '    recipients: [sped-office]'], 'SF405'),
  wrong('smtp tls mode not allowed', 'siras', ['    tls: none ', '    tls: off '], 'SF404'),
  wrong('sftp password in clear text', 'destiny', ['        password: ${secret:destiny_sftp_password}', '        password: Library2026!'], 'SF407'),
  wrong('sql password in clear text', 'destiny', ['        password: ${secret:aeries_sql_password}', '        password: hunter22'], 'SF407'),
  wrong('sftp host key pasted as a public key', 'destiny', ['        host_key: ${env:DESTINY_SFTP_HOST_KEY}', '        host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'], 'SF405'),
  wrong('sftp host key as MD5', 'destiny', ['        host_key: ${env:DESTINY_SFTP_HOST_KEY}', '        host_key: "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48"'], 'SF405'),
  wrong('sftp without a host key', 'destiny', ['        host_key: ${env:DESTINY_SFTP_HOST_KEY}\n', ''], 'SF402', { at: '      destiny:\n        use: sftp' }),
  wrong('sftp port as text', 'destiny', ['        dir: patrons', '        dir: patrons\n        port: twenty-two'], 'SF403', { at: '        port: twenty-two' }),
  wrong('sftp without password or key', 'destiny', ['        password: ${secret:destiny_sftp_password}\n', ''], 'SF402', { at: '      destiny:\n        use: sftp' }),
  wrong('aeries api over http', 'siras-export', ['    base_url: ${env:AERIES_API_URL}', '    base_url: http://aeries.district.org/aeries'], 'SF405'),
  wrong('aeries api without a certificate', 'siras-export', ['    cert: ${secret:aeries_api_cert}          # the API key', '    # the API key'], 'SF402', { at: '  aeries:\n    use: aeries-api' }),
  wrong('aeries api cert in clear text', 'siras-export', ['    cert: ${secret:aeries_api_cert}', '    cert: 4f1d0a4b9c0e4d7e9a1b2c3d4e5f6a7b'], 'SF407'),
  wrong('mssql port and instance together', 'destiny-mssql', ['    server: sis.district.example\n', '    server: sis.district.example\n    port: 1433\n    instance: AERIES\n'], 'SF408', { at: '    instance: AERIES' }),
  wrong('mssql query that is not a SELECT', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n', '    query: DELETE FROM STF\n    columns: { ID: int, LN: string, FN: string, MN: string?, EM: string?, PSC: int, TI: string?, TG: string }\n'], 'SF405'),
  wrong('mssql query without typed columns', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n', '    query: SELECT ID, LN, FN, MN, EM, PSC, TI, TG FROM STF\n'], 'SF402'),
  wrong('mssql query placeholder without parameters', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n    where: PSC in $schools and', "    query: SELECT ID, LN, FN, MN, EM, PSC, TI, TG FROM STF WHERE PSC = @school AND DEL = 0\n    columns: { ID: int, LN: string, FN: string, MN: string?, EM: string?, PSC: int, TI: string?, TG: string }\n    where: PSC in $schools and"], 'SF409'),
  wrong('mssql query placeholder misspelled in parameters', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n    where: PSC in $schools and', "    query: SELECT ID, LN, FN, MN, EM, PSC, TI, TG FROM STF WHERE PSC = @school AND DEL = 0\n    parameters: { schol: 991 }\n    columns: { ID: int, LN: string, FN: string, MN: string?, EM: string?, PSC: int, TI: string?, TG: string }\n    where: PSC in $schools and"], 'SF409'),
  wrong('mssql column type unknown', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n', '    query: SELECT ID, LN, FN, MN, EM, PSC, TI, TG FROM STF\n    columns: { ID: integer, LN: string, FN: string, MN: string?, EM: string?, PSC: int, TI: string?, TG: string }\n'], 'SF404', { at: '    columns: { ID: integer' }),
  wrong('mssql query with table', 'destiny-mssql', ['    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n', '    table: STF\n    query: SELECT ID FROM STF\n    columns: { ID: int }\n'], 'SF408', { at: '    query: SELECT ID FROM STF' }),
  wrong('CSV column type unknown', 'siras', ['      Service Duration: int?', '      Service Duration: integer?'], 'SF403'),
  wrong('a CSV column left out of the declared columns', 'siras', ['      Service End Date: date?\n', ''], 'SF302', { at: '      ED: \'"Service End Date"\'' }),
  wrong('demo size out of range', 'oneroster', ['  aeries: { use: sqlite, demo: true }', '  aeries: { use: sqlite, demo: true, students_per_school: 0 }'], 'SF406'),
  wrong('oneroster api over http', 'oneroster-api', ['    base_url: ', '    base_url: http://district.example/ims/oneroster/v1p1 #'], 'SF405'),
];
