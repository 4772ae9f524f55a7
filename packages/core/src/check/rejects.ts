// The rejects file: its connection exists, and its threshold is a count or a share of at most 100 %.
import { didYouMean } from '../diagnostics/suggest.js';
import type { CheckContext } from './context.js';

export function checkRejects(ctx: CheckContext): void {
  const r = ctx.spec.rejects;
  if (!r) return;
  if (r.to && !ctx.spec.connections?.[r.to]) {
    ctx.report('SF201', `unknown connection \`${r.to}\``, ['rejects', 'to'], didYouMean(r.to, Object.keys(ctx.spec.connections ?? {})) ?? 'declare it under `connections:`');
  }
  if (typeof r.max === 'string' && r.max.endsWith('%') && Number(r.max.slice(0, -1)) > 100) {
    ctx.report('SF115', `rejects.max is ${r.max}, more than all the rows: the run could never fail`, ['rejects', 'max'], 'a share is at most 100%, e.g. `max: 2%`; for a number of rows write it without %, e.g. `max: 150`');
  }
}
