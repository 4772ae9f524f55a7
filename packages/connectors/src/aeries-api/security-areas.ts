// The Aeries API security areas, named as Aeries' API security page names them: which area an
// endpoint needs (for `sisflow plan`), and the sensitive areas `sisflow access check` probes to
// warn when a key can read more than its spec needs. No I/O: the connector declaration loads this.

export interface SecurityArea {
  /** `Group / Area` as Aeries shows it when a district grants an API key. */
  name: string;
  /** Endpoint paths (after /api/v5/) that need the area. */
  endpoint: RegExp;
}

/** Endpoint shapes and the area each needs, most specific first. */
export const SECURITY_AREAS: SecurityArea[] = [
  { name: 'Student Data / Contacts', endpoint: /\/contacts(\/|$)/i },
  { name: 'Student Data / Student Programs / Special Education', endpoint: /\/(specialed|special-education)(\/|$)/i },
  { name: 'Student Data / Student Programs / Special Programs', endpoint: /\/programs(\/|$)/i },
  { name: 'Attendance / Enrollment History', endpoint: /(^|\/)enrollment(\/|$)/i },
  { name: 'Student Data / Student Data', endpoint: /\/students(\/|$)/i },
  { name: 'Staff Data', endpoint: /\/staff(\/|$)/i },
  { name: 'School Info', endpoint: /^schools(\/\{school\}|\/\d+)?$/i },
];

export function securityArea(endpoint: string): string | undefined {
  return SECURITY_AREAS.find((a) => a.endpoint.test(endpoint))?.name;
}

/**
 * Areas that hold what a key should not read unless its integration needs it: each with one
 * cheap request that only that area allows. A key that can read one of these when its spec does
 * not is worth a word to the district.
 */
export const SENSITIVE_AREAS: { name: string; probe: string; what: string }[] = [
  { name: 'Student Data / Medical / Health', probe: 'schools/{school}/students/0/health', what: 'health records' },
  { name: 'Student Data / Medical / Immunizations', probe: 'schools/{school}/immunizations', what: 'immunizations' },
  { name: 'Student Data / Discipline', probe: 'schools/{school}/discipline', what: 'discipline incidents' },
  { name: 'Grades / Gradebooks', probe: 'schools/{school}/gradebooks', what: 'gradebooks and assignment scores' },
  { name: 'Grades / Grade Reporting', probe: 'schools/{school}/ReportCards', what: 'report card grades' },
  { name: 'Test Scores', probe: 'schools/{school}/tests', what: 'test scores' },
];
