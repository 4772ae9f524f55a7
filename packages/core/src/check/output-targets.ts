// Outputs (and the rejects file) that would write the same place: the second would overwrite the first.
import type { CheckContext } from './context.js';
import type { OutputAnalysis } from './outputs.js';

export function checkOutputTargets(ctx: CheckContext, outputs: ReadonlyMap<string, OutputAnalysis>): void {
  const first = new Map<string, string>();
  // In the order they are written in the spec, so the later one is reported.
  const ordered = [...outputs.values()].sort((a, b) => ctx.locator.keySpan(['outputs', a.name]).start.offset - ctx.locator.keySpan(['outputs', b.name]).start.offset);
  for (const o of ordered) {
    const target = o.description.target;
    const earlier = first.get(target);
    if (earlier === undefined) {
      first.set(target, o.name);
      continue;
    }
    const where = ctx.locator.has(['outputs', o.name, 'path']) ? ['outputs', o.name, 'path'] : ['outputs', o.name, 'to'];
    ctx.report('SF221', `outputs \`${earlier}\` and \`${o.name}\` both write ${target}; the second would overwrite the first`, where, `give \`${o.name}\` a path of its own, e.g. ${suggestPath(target, o.name)}`, [ctx.related(`\`${earlier}\` writes it here`, ['outputs', earlier])]);
  }
  const r = ctx.spec.rejects;
  if (r?.to && r.path) {
    for (const o of ordered) {
      if (o.connection === r.to && (o.settings.path === r.path)) {
        ctx.report('SF221', `the rejects file and output \`${o.name}\` both write ${r.path}`, ['rejects', 'path'], `name the rejects file after the output, e.g. ${r.path.replace(/(\.[^.]*)?$/, '.rejects$1')}`, [ctx.related(`\`${o.name}\` writes it here`, ['outputs', o.name])]);
      }
    }
  }
}

function suggestPath(target: string, name: string): string {
  const file = target.split('/').pop() ?? target;
  const dot = file.lastIndexOf('.');
  return dot > 0 ? `${name}${file.slice(dot)}` : name;
}

