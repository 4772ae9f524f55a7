// Unusual but valid specs: YAML styles, names and expressions a checker could wrongly refuse.
// Each is a shipped example (bases/) written another way; every one must compile without a word.
import { BASES } from './wrong-specs.js';

type Edit = [from: string, to: string];

function valid(name: string, base: keyof typeof BASES, ...edits: Edit[]): [string, string] {
  let text = BASES[base];
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`valid case "${name}": ${JSON.stringify(from)} is not in ${base}`);
    text = text.replace(from, to);
  }
  return [name, text];
}

export const VALID_SPECS: [name: string, text: string][] = [
  valid('the Destiny example as shipped', 'destiny'),
  valid('the SIRAS import as shipped', 'siras'),
  valid('the OneRoster export as shipped', 'oneroster'),
  valid('the SIRAS export as shipped', 'siras-export'),
  valid('the OneRoster API export as shipped', 'oneroster-api'),
  valid('Destiny reading SQL Server', 'destiny-mssql'),
  ['Windows line endings', BASES.destiny.replace(/\n/g, '\r\n')],
  valid('a byte order mark', 'siras', ['sisflow: 1', '\ufeffsisflow: 1']),
  valid('a folded expression', 'destiny', ["      Status: \"if(student_status(TG, ENR, $as_of) = 'inactive', 'I', 'A')\"", "      Status: >-\n        if(student_status(TG, ENR, $as_of) = 'inactive',\n           'I', 'A')"]),
  valid('a literal block expression', 'siras', ['      Grade: if(stu.GR is null, \'\', grade_label(stu.GR))', "      Grade: |\n        if(stu.GR is null,\n           '',\n           grade_label(stu.GR))"]),
  valid('a where running onto the next line', 'destiny', ['    where: SC in $schools and not DEL and student_status(TG, ENR, $as_of) in $statuses', '    where: SC in $schools and not DEL\n      and student_status(TG, ENR, $as_of) in $statuses']),
  valid('anchors and aliases', 'destiny', ['    doc: Aeries school codes (LOC.CD) whose students and staff Destiny receives', '    doc: &schools_doc Aeries school codes (LOC.CD) whose students and staff Destiny receives'], ['  staff:\n    from: aeries\n', '  staff:\n    description: *schools_doc\n    from: aeries\n']),
  valid('sequences not indented under their key', 'destiny', ['    rules:\n      - required: [Site Short Name, Barcode, District ID, Last Name]\n      - max_length:', '    rules:\n    - required: [Site Short Name, Barcode, District ID, Last Name]\n    - max_length:'], ['      - one_of: { Gender', '    - one_of: { Gender']),
  valid('comments between every block', 'oneroster', ['\nsteps:\n', '\n# ── steps ──\n\nsteps:\n    # the district first\n']),
  valid('quoted keys and column names with punctuation', 'destiny', ['      Email 1: coalesce(normalize_email(SEM), \'\')\n\n  staff_patrons', "      Email 1: coalesce(normalize_email(SEM), '')\n      \"Parent's e-mail (home)\": \"''\"\n\n  staff_patrons"], ['      Email 1: coalesce(normalize_email(EM), \'\')', "      Email 1: coalesce(normalize_email(EM), '')\n      \"Parent's e-mail (home)\": \"''\""]),
  valid('unicode column names', 'siras', ['      Grade: if(stu.GR is null', "      Élève: \"'José Núñez'\"\n      Grade: if(stu.GR is null"]),
  valid('a step named like a key of a step, correctly indented', 'siras', ['  not_in_file:\n    description: special-ed', '  where:\n    description: special-ed'], ['    from: not_in_file\n', '    from: where\n']),
  valid('a status comparison with every status', 'destiny', ["if(student_status(TG, ENR, $as_of) = 'inactive', 'I', 'A')", "case student_status(TG, ENR, $as_of) when 'inactive' then 'I' when 'pre-enrolled' then 'A' when 'active' then 'A' else 'A' end"]),
  valid('and-ed tests of one column that overlap', 'destiny', ["where: PSC in $schools and TG = '' and not DEL", "where: PSC in $schools and PSC in [991, 992] and TG = '' and not DEL"]),
  valid('a date pattern with literal text and a 2-digit year', 'destiny', ["Card Expires: format_date($card_expires, 'MM/dd/yyyy')\n      Graduation Year: \"''\"", "Card Expires: format_date($card_expires, 'dd.MM.yy')\n      Graduation Year: \"''\""]),
  valid('a parameter written into a setting the right way', 'siras-export', ['    dir: out', '    dir: out/${param:schools}'.replace('${param:schools}', 'siras')]),
  valid('percent thresholds of exactly 100 %', 'destiny', ['max: 2%', 'max: 100%']),
  valid('a mssql query with its parameters', 'destiny-mssql', ["    table: STF\n    columns: [ID, LN, FN, MN, EM, PSC, TI, TG]\n    where: PSC in $schools and TG = '' and not DEL\n", "    query: SELECT ID, LN, FN, MN, EM, PSC, TI, TG FROM STF WHERE PSC <> @closed AND EM NOT LIKE '%@old.example' -- not @here\n    parameters: { closed: 0 }\n    columns: { ID: int, LN: string, FN: string, MN: string?, EM: string?, PSC: int, TI: string?, TG: string }\n    where: PSC in $schools and TG = ''\n"]),
  valid('a dollar sign in a setting that is not a parameter', 'destiny', ['    dir: out\n', '    dir: out/$archive\n']),
  valid('profile params that fit', 'siras', ['      district_cds_code: "0000000"   # your CDS code here', '      district_cds_code: "1964733"\n      student_file: studentData.csv']),
];
