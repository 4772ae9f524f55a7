// Date patterns written in another library's dialect. sisflow's letters are yyyy yy MM M dd d HH mm ss;
// moment/.NET/strftime patterns look alike but `D`, `Y`, `mm` and `%d` mean other things, and the
// mistake shows only on the first row. The fix is the same pattern in sisflow's letters.
import { formatDate } from './dates.js';

export interface ForeignPattern {
  /** The pattern in sisflow's letters. */
  corrected: string;
  /** What the letters that were wrong mean, in one phrase. */
  why: string;
  /** A date written with the corrected pattern, to show what it gives. */
  example: string;
}

const EXAMPLE_DATE = '2026-08-20';

export function foreignDatePattern(pattern: string): ForeignPattern | undefined {
  let p = pattern;
  const why: string[] = [];
  if (/%[YmdHMSy]/.test(p)) {
    p = p.replace(/%Y/g, 'yyyy').replace(/%y/g, 'yy').replace(/%m/g, 'MM').replace(/%d/g, 'dd').replace(/%H/g, 'HH').replace(/%M/g, 'mm').replace(/%S/g, 'ss');
    why.push('`%Y %m %d` are strftime letters');
  }
  if (/CCYY/.test(p)) {
    p = p.replace(/CCYY/g, 'yyyy');
    why.push('`CCYY` (century and year) is written `yyyy`');
  }
  if (/Y/.test(p)) {
    p = p.replace(/YYYY/g, 'yyyy').replace(/YY/g, 'yy');
    why.push('`Y` is not a year letter here (upper-case Y is the week year elsewhere); the year is `yyyy`');
  }
  if (/D/.test(p)) {
    p = p.replace(/DD/g, 'dd').replace(/D/g, 'd');
    why.push('`D` is the day of the year elsewhere; the day of the month is `dd`');
  }
  if (/mm/.test(p) && !/MM|M(?!M)/.test(p.replace(/mm/g, '')) && !/HH|hh/.test(p) && /y/.test(p) && /d/.test(p)) {
    p = p.replace(/mm/g, 'MM');
    why.push('`mm` is minutes; the month is `MM`');
  }
  if (/hh/.test(p)) {
    p = p.replace(/hh/g, 'HH');
    why.push('`hh` (12-hour clock) is written `HH` (0–23)');
  }
  if (why.length === 0 || p === pattern) return undefined;
  let example: string;
  try {
    example = formatDate(/HH|mm|ss/.test(p) ? `${EXAMPLE_DATE}T07:05:00` : EXAMPLE_DATE, p);
  } catch {
    example = '';
  }
  return { corrected: p, why: why.join('; '), example };
}

/** The hint for a foreign pattern: the corrected pattern and what it gives for a literal date. */
export function foreignPatternHint(f: ForeignPattern): string {
  return `write '${f.corrected}'${f.example ? ` (${EXAMPLE_DATE} is written ${f.example})` : ''}`;
}
