// Spec test results as JUnit XML, which every CI system reads: `sisflow test specs/*.yaml --junit results.xml`.

export interface JunitCase {
  name: string;
  ok: boolean;
  failures: string[];
}

const escape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 cannot hold most control characters, even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/** One <testsuite> per spec file; a spec that could not compile is one failing case. */
export function junitXml(suites: { file: string; cases: JunitCase[]; error?: string }[]): string {
  const total = suites.reduce((n, s) => n + Math.max(1, s.cases.length), 0);
  const failed = suites.reduce((n, s) => n + (s.error ? 1 : s.cases.filter((c) => !c.ok).length), 0);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="sisflow" tests="${total}" failures="${failed}">`];
  for (const s of suites) {
    const cases = s.error ? [{ name: 'the spec compiles', ok: false, failures: [s.error] }] : s.cases;
    lines.push(`  <testsuite name="${escape(s.file)}" tests="${cases.length}" failures="${cases.filter((c) => !c.ok).length}">`);
    for (const c of cases) {
      if (c.ok) {
        lines.push(`    <testcase classname="${escape(s.file)}" name="${escape(c.name)}"/>`);
        continue;
      }
      lines.push(`    <testcase classname="${escape(s.file)}" name="${escape(c.name)}">`);
      lines.push(`      <failure message="${escape(c.failures[0] ?? 'failed')}">${escape(c.failures.join('\n'))}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
