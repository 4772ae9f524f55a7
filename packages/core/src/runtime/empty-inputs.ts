// Empty inputs. A header-only student file must not look like "no student has special education
// any more": a table import whose input source read no rows fails the run, unless the source says
// `allow_empty: true`; a source saying `allow_empty: false` fails any run it reads nothing in. And a source that read nothing where the last run read rows is named in a
// warning, whatever it feeds (the run history passes the last run's counts in `previousRows`).
import type { JobPlan, PlanOutput, PlanSource } from '../plan/plan.js';
import type { RunReport } from './report.js';

export function emptyInputs(
  plan: JobPlan,
  sources: RunReport['sources'],
  imports: PlanOutput[],
  ancestors: (node: string) => Set<string>,
  previousRows: Readonly<Record<string, number>> | undefined,
): { failure?: string; warnings: string[] } {
  const warnings: string[] = [];
  const empty = (name: string) => {
    const s = sources[name];
    return s !== undefined && s.rows === 0 && s.rejected === 0;
  };
  for (const [name, before] of Object.entries(previousRows ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (before > 0 && empty(name)) warnings.push(`${name} read 0 rows; the last run read ${before}`);
  }
  const declared = plan.steps.filter((s): s is PlanSource => s.kind === 'source');
  const byName = new Map(declared.map((s) => [s.name, s]));
  const refused: string[] = [];
  for (const o of imports) {
    for (const node of [...ancestors(o.from)].sort()) {
      const src = byName.get(node);
      if (src && src.allowEmpty !== true && empty(node) && !refused.includes(`${node} (→ ${o.name})`)) refused.push(`${node} (→ ${o.name})`);
    }
  }
  // A source that says `allow_empty: false` must have rows whatever it feeds.
  for (const src of declared) if (src.allowEmpty === false && empty(src.name) && !refused.some((r) => r.startsWith(`${src.name} (`))) refused.push(src.name);
  if (refused.length === 0) return { warnings };
  return {
    warnings,
    failure: `${refused.join(', ')} read no rows: an empty input is refused, since it would look like every record had gone; nothing was published (if an empty input is normal, say \`allow_empty: true\` on the source)`,
  };
}
