// Bad specs and the diagnostic each must produce: code, line and column of the first problem.
import { BASE } from './helpers.js';

const r = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`case does not apply: ${from}`);
  return BASE.replace(from, to);
};

const PIN = `SHA256:${'A'.repeat(43)}`;
const SFTP = `out: { use: sftp, host: h, username: u, private_key: "\${secret:k}", host_key: ${PIN} }`;
/** BASE with its output connection on SFTP, changed by `edit`. */
const sftp = (edit: (conn: string) => string) => r('out: { use: files, dir: out }', edit(SFTP));
/** BASE reading its source from the SFTP connection with these settings. */
const sftpSource = (settings: string) =>
  sftp((c) => c)
    .replace('table: STU\n    columns: [ID, SC, LN, FN, GR, TG, BD]\n    where: SC in $schools\n', `${settings}    columns: { ID: int, SC: int, LN: string, FN: string, GR: int }\n`)
    .replace('from: db\n', 'from: out\n');

/** Compile options some cases need (a profile, command-line params), by case name. */
export const CASE_OPTIONS: Record<string, { profile?: string; params?: Record<string, string> }> = {
  'unknown profile': { profile: 'prod' },
  'unknown param in CLI': { params: { school: '1' } },
  'CLI param of the wrong type': { params: { schools: 'a,b' } },
};

const MSSQL = 'db: { use: mssql, server: s, database: d, user: u, password: "${secret:p}" }';
/** BASE reading from SQL Server, changed by `edit`. */
const mssql = (edit: (spec: string) => string) => edit(r('db: { use: sqlite, demo: true }', MSSQL));
/** BASE importing into CSE by ID, its services-like slices held with an output `x`. */
const IMPORT_CSE = r("      Name: LN || ', ' || FN\n      Grade: grade_label(GR)\n", '      ID: ID\n      CID: left(LN, 10)\n').replace(
  'f: { from: m, to: out, path: f.csv }',
  'f: { from: m, to: db, table: CSE, key: [ID], delete_missing: { within: [ID] }, hold_with: [x] }',
);
const ONEROSTER = 'out: { use: oneroster-api, base_url: "https://x.example/v1p1", token_url: "https://x.example/token", client_id: "${secret:i}", client_secret: "${secret:s}" }';
/** BASE writing its output to a OneRoster provider's gradebook (categories), changed by `edit`. */
const gradebook = (edit: (spec: string) => string) => edit(r('out: { use: files, dir: out }', ONEROSTER).replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: out, collection: categories }'));
const STU_READ = 'table: STU\n    columns: [ID, SC, LN, FN, GR, TG, BD]\n    where: SC in $schools\n';
/** BASE reading its source from a CSV file in the `out` folder, with these settings after `path`. */
const csvSource = (settings: string) => r(STU_READ, `path: t.csv\n${settings}`).replace('    from: db\n', '    from: out\n');

export const BAD_SPECS: [name: string, text: string, expected: string][] = [
  // SF1xx — the file, YAML, the language schema
  ['empty file', '', 'SF105@1:1'],
  ['only a comment', '# nothing here\n', 'SF105@1:1'],
  ['YAML syntax: unclosed flow map', r('out: { use: files, dir: out }', 'out: { use: files, dir: out'), 'SF101@8:1'],
  ['duplicate key', r('  m:\n    from: stu\n', '  m:\n    from: stu\n    from: stu\n'), 'SF102@17:5'],
  ['tab indentation', r('    from: db\n', '\tfrom: db\n'), 'SF103@10:1'],
  ['two documents', BASE + '---\nname: x\n', 'SF104@22:1'],
  ['not a mapping', '- a\n- b\n', 'SF109@1:1'],
  ['a scalar', 'hello\n', 'SF109@1:1'],
  ['unknown top-level key', BASE + 'output: {}\n', 'SF110@22:1'],
  ['misspelled key in a step', r('    columns:\n      Name', '    colums:\n      Name'), 'SF110@17:5'],
  ['missing name', r('name: t\n', ''), 'SF111@1:1'],
  ['missing sources', r('sources:\n  stu:\n    from: db\n    table: STU\n    columns: [ID, SC, LN, FN, GR, TG, BD]\n    where: SC in $schools\n', ''), 'SF111@1:1'],
  ['wrong language version', r('sisflow: 1', 'sisflow: 2'), 'SF116@1:10'],
  ['name with spaces', r('name: t', 'name: My Job'), 'SF114@2:7'],
  ['params type is a number', r('type: "list<int>"', 'type: 5'), 'SF112@4:20'],
  ['dedupe keep not allowed', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    dedupe: { key: Name, keep: newest }\n'), 'SF113@20:32'],
  ['rejects max negative', BASE + 'rejects: { max: -1 }\n', 'SF112@22:17'],
  ['rejects max bad percent', BASE + 'rejects: { max: "ten%" }\n', 'SF112@22:17'],
  ['schedule without timezone', BASE + 'schedule: { cron: "0 5 * * 1-5" }\n', 'SF111@22:1'],
  ['step with from and union', r('    from: stu\n    columns', '    from: stu\n    union: [stu, stu]\n    columns'), 'SF117@17:5'],
  ['lookup with too few on values', r('    from: stu\n    columns', '    from: stu\n    lookup:\n      s: { from: stu, key: [ID, SC], on: ID }\n    columns'), 'SF117@18:42'],
  ['check rule without message', r('      Grade: grade_label(GR)\n', "      Grade: grade_label(GR)\n    rules:\n      - check: Name <> ''\n"), 'SF111@21:9'],
  ['anchor bomb', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n', 'SF107@2:8'],
  ['unsupported tag', r('name: t', 'name: !district t'), 'SF108@2:7'],
  // SF2xx — names and references
  ['unknown connection', r('    from: db\n', '    from: dbb\n'), 'SF201@10:11'],
  ['unknown step in output', r('f: { from: m,', 'f: { from: mm,'), 'SF202@21:14'],
  ['unknown step input', r('  m:\n    from: stu', '  m:\n    from: students'), 'SF202@16:11'],
  ['cycle between steps', r('  m:\n    from: stu\n', '  m:\n    from: n\n  n:\n    from: m\n'), 'SF203@15:3'],
  ['unused source', r('steps:\n', '  staff:\n    from: db\n    table: STF\nsteps:\n'), 'SF204@14:3'],
  ['unknown connector', r('db: { use: sqlite, demo: true }', 'db: { use: sqlserver, demo: true }'), 'SF205@6:14'],
  ['source and step with the same name', r('  m:\n    from: stu\n', '  stu:\n    from: stu\n'), 'SF206@15:3'],
  ['unknown profile', BASE, 'SF207@-'],
  ['unknown table', r('table: STU', 'table: STUDENTS'), 'SF209@11:12'],
  ['unknown catalog column', r('columns: [ID, SC, LN, FN, GR, TG, BD]', 'columns: [ID, SC, LNAME, FN, GR, TG, BD]'), 'SF208@12:23'],
  ['unknown param in CLI', BASE, 'SF210@-'],
  ['CLI param of the wrong type', BASE, 'SF501@-'],
  ['default of the wrong type', r('default: [991]', 'default: [nine]'), 'SF211@4:42'],
  ['malformed reference', r('dir: out', 'dir: "${env:OUT_DIR"'), 'SF212@7:27'],
  ['union inputs differ', r('  m:\n    from: stu\n', '  a:\n    from: stu\n    columns: { X: ID }\n  b:\n    from: stu\n    columns: { Y: ID }\n  u:\n    union: [a, b]\n  m:\n    from: u\n').replace('Name: LN || \', \' || FN', 'Name: text(X)').replace('Grade: grade_label(GR)', 'Grade: "1"'), 'SF213@22:16'],
  ['files connector cannot read without columns', r("table: STU\n    columns: [ID, SC, LN, FN, GR, TG, BD]\n    where: SC in $schools\n", 'table: STU\n').replace('from: db\n', 'from: out\n'), 'SF402@9:3'],
  ['unused step', r('outputs:\n', '  extra:\n    from: stu\noutputs:\n'), 'SF215@20:3'],
  ['unknown param type', r('type: "list<int>"', 'type: "list<integer>"'), 'SF216@4:20'],
  ['invalid cron', BASE + 'schedule: { cron: "61 5 * * *", timezone: America/Los_Angeles }\n', 'SF217@22:19'],
  ['invalid time zone', BASE + 'schedule: { cron: "0 5 * * *", timezone: Pacific/Springfield }\n', 'SF217@22:42'],
  ['test gives rows for a step', BASE + 'tests:\n  - name: x\n    given: { m: [] }\n    expect: { f: [] }\n', 'SF218@24:14'],
  ['test expects an unknown column', BASE + 'tests:\n  - name: x\n    given: { stu: [] }\n    expect: { f: [{ Nmae: x }] }\n', 'SF208@25:21'],
  ['required param without a value', r('default: [991]', 'doc: which schools'), 'SF219@4:3'],
  ['param value not allowed', r('default: [991] }', 'default: [991], values: [992] }'), 'SF211@4:42'],
  // SF3xx — expressions
  ['syntax error in where', r('where: SC in $schools', 'where: SC in ($schools'), 'SF301@13:27'],
  ['double-quoted text literal', r("Name: LN || ', ' || FN", 'Name: LN = "Smith"'), 'SF302@18:18'],
  ['unknown column in expression', r("Name: LN || ', ' || FN", "Name: LNAME || ', ' || FN"), 'SF302@18:13'],
  ['unknown function', r('Grade: grade_label(GR)', 'Grade: grade_lable(GR)'), 'SF303@19:14'],
  ['wrong arity', r('Grade: grade_label(GR)', 'Grade: grade_label()'), 'SF304@19:14'],
  ['wrong argument type', r('Grade: grade_label(GR)', 'Grade: grade_label(LN)'), 'SF305@19:26'],
  ['date compared with text', r('where: SC in $schools', "where: BD > 'yesterday'"), 'SF306@13:12'],
  ['unknown param in expression', r('where: SC in $schools', 'where: SC in $school'), 'SF307@13:18'],
  ['nullable where a value is needed', r('Grade: grade_label(GR)', "Grade: student_status(TG, BD, BD)"), 'SF308@19:37'],
  ['invalid date literal', r('where: SC in $schools', "where: BD > date '2026-02-30'"), 'SF309@13:17'],
  ['where is not a condition', r('where: SC in $schools', 'where: SC + 1'), 'SF311@13:12'],
  ['case branches of different types', r('Grade: grade_label(GR)', "Grade: case when GR > 5 then 'high' else 5 end"), 'SF313@19:36'],
  ['unknown qualifier', r("Name: LN || ', ' || FN", "Name: school.NM"), 'SF314@18:13'],
  ['syntax error in a folded scalar', r("      Name: LN || ', ' || FN\n", "      Name: >-\n        LN ||\n        ', ' || || FN\n"), 'SF301@20:17'],
  ['unknown column in a block scalar', r("      Name: LN || ', ' || FN\n", "      Name: |\n        LN || FN ||\n        LNN\n"), 'SF302@20:9'],
  ['unknown column in a quoted scalar', r("      Name: LN || ', ' || FN\n", "      Name: \"LN || ', ' || FNN\"\n"), 'SF302@18:28'],
  ['adding text to a number', r('Grade: grade_label(GR)', 'Grade: GR + LN'), 'SF306@19:19'],
  ['rule check on an unknown column', r('      Grade: grade_label(GR)\n', "      Grade: grade_label(GR)\n    rules:\n      - check: Nmae <> ''\n        message: needs a name\n"), 'SF302@21:16'],
  ['bad regular expression in a rule', r('      Grade: grade_label(GR)\n', "      Grade: grade_label(GR)\n    rules:\n      - matches: { Name: '[a-' }\n"), 'SF114@21:26'],
  ['rule on an unknown column', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    rules:\n      - required: [Nmae]\n'), 'SF208@21:20'],
  ['dedupe on an unknown column', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    dedupe: { key: Nmae, keep: first }\n'), 'SF208@20:20'],
  ['lookup key not in the lookup side', r('    from: stu\n    columns', '    from: stu\n    lookup:\n      s: { from: stu, key: IDD, on: ID }\n    columns'), 'SF208@18:28'],
  ['lookup on another lookup (no chaining)', r('    from: stu\n    columns', '    from: stu\n    lookup:\n      a: { from: stu, key: ID, on: ID }\n      b: { from: stu, key: ID, on: a.ID }\n    columns'), 'SF314@19:36'],
  ['lookup key type differs from on', r('    from: stu\n    columns', '    from: stu\n    lookup:\n      s: { from: stu, key: ID, on: LN }\n    columns'), 'SF306@18:36'],
  ['a column holding a list', r('Grade: grade_label(GR)', 'Grade: $schools'), 'SF306@19:14'],
  // SF4xx — connector settings
  ['unknown connection setting', r('db: { use: sqlite, demo: true }', 'db: { use: sqlite, demo: true, hostname: x }'), 'SF401@6:34'],
  ['missing connection setting', r('out: { use: files, dir: out }', 'out: { use: files }'), 'SF402@7:3'],
  ['connection setting of the wrong type', r('out: { use: files, dir: out }', 'out: { use: files, dir: 5 }'), 'SF403@7:27'],
  ['output setting value not allowed', r('path: f.csv }', 'path: f.csv, line_ending: cr }'), 'SF404@21:52'],
  ['output path leaves the folder', r('path: f.csv }', 'path: ../f.csv }'), 'SF405@21:32'],
  ['output path absolute', r('path: f.csv }', 'path: /etc/f.csv }'), 'SF405@21:32'],
  ['unknown source setting', r('table: STU\n', 'table: STU\n    tabel: STU\n'), 'SF401@12:5'],
  ['source columns not a list', r('columns: [ID, SC, LN, FN, GR, TG, BD]', 'columns: ID'), 'SF403@12:14'],
  ['demo size out of range', r('db: { use: sqlite, demo: true }', 'db: { use: sqlite, demo: true, students_per_school: 0 }'), 'SF406@6:55'],
  ['unknown output setting', r('path: f.csv }', 'path: f.csv, delimeter: ";" }'), 'SF401@21:39'],
  ['profile replaces an unknown connection', BASE + 'profiles:\n  demo:\n    connections:\n      dbx: { use: sqlite, demo: true }\n', 'SF201@25:7'],
  ['profile connection with a bad setting', BASE + 'profiles:\n  demo:\n    connections:\n      out: { use: files, folder: x }\n', 'SF401@25:26'],
  ['sftp without a pinned host key', sftp((c) => c.replace(`, host_key: ${PIN}`, '')), 'SF402@7:3'],
  ['sftp host key not a SHA256 fingerprint', sftp((c) => c.replace(PIN, 'MD5:aa')), 'SF405@7:81'],
  ['sftp host key list with a bad entry', sftp((c) => c.replace(PIN, `[${PIN}, nope]`)), 'SF405@7:134'],
  ['sftp password in clear text', sftp((c) => c.replace('private_key: "${secret:k}"', 'password: hunter22')), 'SF407@7:53'],
  ['sftp without password or key', sftp((c) => c.replace(', private_key: "${secret:k}"', '')), 'SF402@7:3'],
  ['sftp passphrase without a key', sftp((c) => c.replace('private_key: "${secret:k}"', 'password: "${secret:p}", passphrase: "${secret:q}"')), 'SF408@7:80'],
  ['sftp port out of range', sftp((c) => c.replace('host: h', 'host: h, port: 70000')), 'SF406@7:36'],
  ['absent: keep on a column that cannot be empty', csvSource('    columns:\n      LN: string\n      FN: { type: string, absent: keep }\n      GR: int\n'), 'SF425@14:11'],
  ['CSV layout that is not one of the layouts', csvSource('    layout: tableA.csv\n    layouts:\n      tableB.csv: { LN: string, FN: string, GR: int }\n'), 'SF426@12:13'],
  ['CSV layouts with different columns', csvSource('    layout: a\n    layouts:\n      a: { LN: string, FN: string, GR: int }\n      b: { LN: string, FN: string, GR: string }\n'), 'SF427@15:10'],
  ['header name claimed by two columns', csvSource('    columns:\n      LN: string\n      FN: { type: string, headers: [First Name, LN] }\n      GR: int\n'), 'SF428@14:11'],
  ['sftp glob in a folder', sftpSource("path: 'in*/t.csv'\n"), 'SF405@11:11'],
  ['sftp archive without archive_dir', sftpSource("path: 't*.csv'\n    after: archive\n"), 'SF402@12:12'],
  ['a parameter nothing uses', r('params:\n', 'params:\n  unused: { type: int, default: 1 }\n'), 'SF220@4:3'],
  ['a date pattern that is a column', r('Grade: grade_label(GR)', 'Grade: format_date(BD, LN)'), 'SF312@19:30'],
  ['max_length of zero', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    rules:\n      - max_length: { Name: 0 }\n'), 'SF115@21:29'],
  ['mssql port and instance together', mssql((t) => t.replace('server: s', 'server: s, port: 1433, instance: AERIES')), 'SF408@6:54'],
  ['mssql query that is not a SELECT', mssql((t) => t.replace(STU_READ, 'query: DELETE FROM STU\n    columns: { ID: int }\n')), 'SF405@11:12'],
  ['mssql query without typed columns', mssql((t) => t.replace(STU_READ, 'query: SELECT 1 AS ID\n')), 'SF402@11:12'],
  ['mssql import into a table not in the catalog', mssql((t) => t.replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: db, table: STUX, key: [Name] }')), 'SF209@21:32'],
  ['mssql import with columns the table lacks', mssql((t) => t.replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: db, table: CSE, key: [Name] }')), 'SF208@21:32'],
  ['a setting names an undeclared param', r('path: f.csv }', 'path: "${param:nope}.csv" }'), 'SF210@21:32'],
  ['a setting uses a list param', r('path: f.csv }', 'path: "${param:schools}.csv" }'), 'SF211@21:32'],
  ['a connection uses a list param', r('out: { use: files, dir: out }', 'out: { use: files, dir: "x${param:schools}" }'), 'SF211@7:27'],
  ['a param default off its pattern', r('params:\n', 'params:\n  cds: { type: string, default: "12a", pattern: "^\\\\d{7}$" }\n'), 'SF211@4:33'],
  ['number within an unknown column', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    number: { within: School, as: SQ }\n'), 'SF208@20:23'],
  ['number into an existing column', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    number: { within: Name, as: Grade }\n'), 'SF117@20:33'],
  ['delete_missing within an unknown column', mssql((t) => t.replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: db, table: CSE, key: [Name], delete_missing: { within: [Nope] } }')), 'SF208@21:32'],
  ['dedupe prefer with keep reject', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    dedupe: { key: Name, keep: reject, prefer: { Grade: [KG] } }\n'), 'SF260@20:48'],
  ['dedupe prefer value of the wrong type', r('      Grade: grade_label(GR)\n', '      Grade: grade_label(GR)\n    dedupe: { key: Name, keep: first, prefer: { Grade: [KG, true] } }\n'), 'SF261@20:61'],
  ['destiny properties for a column Destiny lacks', r('path: f.csv }', 'path: f.csv, destiny_properties: f.properties }'), 'SF470@21:59'],
  ['unnest of a column that is not a list', r('    from: stu\n    columns', '    from: stu\n    unnest: { column: LN, as: Part }\n    columns'), 'SF262@17:23'],
  ['profile sets an undeclared param', BASE + 'profiles:\n  demo:\n    params: { school: [1] }\n', 'SF210@24:15'],
  ['hold_with names no other output', IMPORT_CSE.replace('hold_with: [x]', 'hold_with: [cse]'), 'SF230@21:94'],
  ['hold_with on a file output', r('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: out, path: f.csv, hold_with: [g] }\n  g: { from: m, to: out, path: g.csv }'), 'SF231@21:39'],
  ['hold_with a file output', IMPORT_CSE.replace('hold_with: [x] }', 'hold_with: [g] }\n  g: { from: m, to: out, path: g.csv }'), 'SF231@21:94'],
  ['gradebook output without the columns its records need', gradebook((t) => t), 'SF460@21:38'],
  ['gradebook output with a number where text goes', gradebook((t) => t.replace("Name: LN || ', ' || FN", 'sourcedId: LN\n      title: GR').replace('      Grade: grade_label(GR)\n', '')), 'SF461@21:38'],
  // Hostile input (issue 21)
  ['a secret in a folder setting', r('out: { use: files, dir: out }', 'out: { use: files, dir: "${secret:folder}" }'), 'SF480@7:27'],
  ['a reference inside an expression', r('Grade: grade_label(GR)', `Grade: "'\${secret:g}'"`), 'SF330@19:15'],
  ['a parameter steers a folder out', r('params:\n', 'params:\n  sub: { type: string, default: "../../etc" }\n').replace('out: { use: files, dir: out }', 'out: { use: files, dir: "out/${param:sub}" }'), 'SF270@8:27'],
  ['a spec too large to be code', BASE + `# ${'x'.repeat(1024 * 1024)}\n`, 'SF130@1:1'],
  ['guard key not a column of the output', r('path: f.csv }', 'path: f.csv, guard: { key: ID, max_removed: 10% } }'), 'SF250@21:53'],
  ['guard percentage over 100', r('path: f.csv }', 'path: f.csv, guard: { key: Name, max_removed: 120% } }'), 'SF251@21:72'],
  ['guard on an output that cannot be held', mssql((t) => t.replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: db, table: CSE, key: [Name], guard: { key: Name } }')), 'SF440@21:57'],
  // Diagnostics v2 (issue 22)
  ['a column block dedented under the steps', r('    columns:\n      Name', '  columns:\n      Name'), 'SF118@17:3'],
  ['two outputs write one file', r('  f: { from: m, to: out, path: f.csv }\n', '  f: { from: m, to: out, path: f.csv }\n  g: { from: m, to: out, path: f.csv }\n'), 'SF221@22:32'],
  ['two tests with one name', BASE + 'tests:\n  - { name: x, given: { stu: [] }, expect: { f: [] } }\n  - { name: x, given: { stu: [] }, expect: { f: [] } }\n', 'SF222@24:13'],
  ['an expression parameter in a setting', r('path: f.csv }', 'path: "f$schools.csv" }'), 'SF223@21:32'],
  ['a date pattern in moment letters', r('Grade: grade_label(GR)', "Grade: format_date(BD, 'MM/DD/YYYY')"), 'SF315@19:30'],
  ['a status that student_status() never returns', r('Grade: grade_label(GR)', "Grade: if(student_status(TG, BD, date '2026-09-01') = 'Active', 'A', 'I')"), 'SF316@19:17'],
  ['a filter that can never match', r('where: SC in $schools', 'where: SC in $schools and SC = 1'), 'SF317@13:31'],
  ['a test row value of the wrong type', BASE + 'tests:\n  - name: x\n    given: { stu: [{ ID: "1" }] }\n    expect: { f: [] }\n', 'SF318@24:26'],
  ['a query placeholder without parameters', mssql((t) => t.replace(STU_READ, 'query: SELECT ID FROM STU WHERE SC = @school\n    columns: { ID: int }\n').replace("Name: LN || ', ' || FN", 'Name: text(ID)').replace('Grade: grade_label(GR)', 'Grade: "\'-\'"')), 'SF409@11:12'],
  ['a name into a 10-character column', mssql((t) => t.replace('f: { from: m, to: out, path: f.csv }', 'f: { from: m, to: db, table: CSE, key: [ID] }').replace("Name: LN || ', ' || FN", 'ID: ID').replace('Grade: grade_label(GR)', 'CID: LN')), 'SF319@21:32'],
];
