// Bundle problems for a reader: the same problem repeated down a file (one deleted org makes every
// user that points at it fail) is shown as its first few places and a count, not thousands of
// near-identical lines. `--format json` keeps the full list.
import type { BundleProblem } from './check.js';

export interface ProblemGroup {
  /** The problems shown in full: the first few of the group. */
  shown: BundleProblem[];
  /** How many more of the same kind (code, file, column) follow. */
  more: number;
  /** Lines of the first few that are not shown. */
  moreLines: number[];
}

/** Groups problems by code, file and column, keeping their order of first appearance. */
export function groupProblems(problems: readonly BundleProblem[], shown = 3): ProblemGroup[] {
  const groups = new Map<string, BundleProblem[]>();
  for (const p of problems) {
    const key = `${p.code}\0${p.file}\0${p.column}`;
    const g = groups.get(key);
    if (g) g.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((g) => ({ shown: g.slice(0, shown), more: Math.max(0, g.length - shown), moreLines: g.slice(shown, shown + 5).map((p) => p.line) }));
}

/** `users.csv:12:5: error OR115: …` */
export function problemLine(p: BundleProblem, prefix = ''): string {
  return `${prefix}${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ${p.severity} ${p.code}: ${p.message}`;
}

/** The problems as text lines, repeated ones grouped: `  … and 2,036 more OR115 in users.csv column 5 (lines 15, 16, …)`. */
export function problemLines(problems: readonly BundleProblem[], prefix = '', shown = 3): string[] {
  const out: string[] = [];
  for (const g of groupProblems(problems, shown)) {
    for (const p of g.shown) out.push(problemLine(p, prefix));
    if (g.more > 0) {
      const p = g.shown[0]!;
      const lines = g.moreLines.join(', ') + (g.more > g.moreLines.length ? ', …' : '');
      out.push(`  … and ${g.more.toLocaleString('en-US')} more ${p.code} in ${p.file}${p.column ? ` column ${p.column}` : ''} (line${g.more > 1 ? 's' : ''} ${lines})`);
    }
  }
  return out;
}

/** One sentence for an error message: the count and the first problems, grouped. */
export function problemSummary(problems: readonly BundleProblem[], max = 5): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const lines = problemLines(errors, '', 2);
  return `${errors.length} problem(s): ${lines.slice(0, max).join('; ')}${lines.length > max ? '; …' : ''}`;
}
