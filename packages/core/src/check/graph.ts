// Names and the data-flow graph: every reference resolves, no cycles, nothing defined twice or unused.
import { didYouMean } from '../diagnostics/suggest.js';
import type { CheckContext } from './context.js';

export interface FlowGraph {
  /** Sources and steps in an order where every input comes before its readers. */
  order: string[];
  kind: Map<string, 'source' | 'step'>;
}

/** Inputs a step reads: `from`, `union` items and lookups, with where each is named. */
export function stepInputs(ctx: CheckContext, step: string): { name: string; path: (string | number)[] }[] {
  const s = ctx.spec.steps?.[step];
  if (!s) return [];
  const out: { name: string; path: (string | number)[] }[] = [];
  if (s.from) out.push({ name: s.from, path: ['steps', step, 'from'] });
  (s.union ?? []).forEach((u, i) => out.push({ name: u, path: ['steps', step, 'union', i] }));
  for (const [alias, l] of Object.entries(s.lookup ?? {})) out.push({ name: l.from, path: ['steps', step, 'lookup', alias, 'from'] });
  return out;
}

export function checkGraph(ctx: CheckContext): FlowGraph {
  const { spec } = ctx;
  const kind = new Map<string, 'source' | 'step'>();
  for (const name of Object.keys(spec.sources)) kind.set(name, 'source');
  for (const name of Object.keys(spec.steps ?? {})) {
    if (kind.has(name)) {
      ctx.reportKey('SF206', `\`${name}\` is both a source and a step`, ['steps', name], 'rename one of them', [ctx.related('the source is defined here', ['sources', name])]);
      continue;
    }
    kind.set(name, 'step');
  }
  // Outputs live in their own namespace: an output may share its step's name (`patrons` → `patrons`).
  const names = [...kind.keys()];
  const used = new Set<string>();
  for (const step of Object.keys(spec.steps ?? {})) {
    const s = spec.steps![step]!;
    if (!s.from && !s.union) ctx.reportKey('SF111', `step \`${step}\` needs \`from:\` or \`union:\``, ['steps', step]);
    if (s.from && s.union) ctx.reportKey('SF117', `step \`${step}\` has both \`from:\` and \`union:\`; give one`, ['steps', step, 'union']);
    for (const input of stepInputs(ctx, step)) {
      if (!kind.has(input.name)) ctx.report('SF202', `unknown source or step \`${input.name}\``, input.path, didYouMean(input.name, names));
      else used.add(input.name);
      if (input.name === step) ctx.report('SF203', `step \`${step}\` reads itself`, input.path);
    }
  }
  for (const [out, o] of Object.entries(spec.outputs)) {
    if (!kind.has(o.from)) ctx.report('SF202', `unknown source or step \`${o.from}\``, ['outputs', out, 'from'], didYouMean(o.from, names));
    else used.add(o.from);
  }
  for (const [rule, i] of (spec.steps ? Object.entries(spec.steps) : []).flatMap(([step, s]) => (s.rules ?? []).map((r, i) => [{ step, r }, i] as const))) {
    if ('references' in rule.r && !kind.has(rule.r.references.step)) {
      ctx.report('SF202', `unknown source or step \`${rule.r.references.step}\``, ['steps', rule.step, 'rules', i, 'references', 'step'], didYouMean(rule.r.references.step, names));
    } else if ('references' in rule.r) used.add(rule.r.references.step);
  }

  const order = topologicalOrder(ctx, kind);
  for (const [name, k] of kind) {
    if (used.has(name)) continue;
    if (k === 'source') ctx.reportKey('SF204', `source \`${name}\` is never used`, ['sources', name], 'remove it, or read it from a step or output');
    else ctx.reportKey('SF215', `step \`${name}\` is never used`, ['steps', name], 'remove it, or send it to an output');
  }
  return { order, kind };
}

function topologicalOrder(ctx: CheckContext, kind: Map<string, 'source' | 'step'>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]) => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const key = [...cycle].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        ctx.reportKey('SF203', `steps form a cycle: ${cycle.join(' → ')}`, ['steps', name], 'a step may only read sources and steps that do not read it back');
      }
      return;
    }
    state.set(name, 'visiting');
    if (kind.get(name) === 'step') {
      for (const input of stepInputs(ctx, name)) if (kind.has(input.name) && input.name !== name) visit(input.name, [...trail, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...kind.keys()].sort()) visit(name, []);
  return order;
}
