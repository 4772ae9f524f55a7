// Notifications: the connection can notify, its settings fit, and what they attach exists.
import { didYouMean } from '../diagnostics/suggest.js';
import { NOTIFY_LANGUAGE_KEYS } from '../spec/schema.js';
import { connectorRole } from './connector-role.js';
import type { CheckContext } from './context.js';

export interface NotifyAnalysis {
  name: string;
  connection: string;
  use: string;
  settings: Record<string, unknown>;
  when: 'always' | 'success' | 'failure';
  attach: string[];
  target: string;
}

export function checkNotify(ctx: CheckContext, name: string): NotifyAnalysis | undefined {
  const n = ctx.spec.notify![name]!;
  const path = ['notify', name];
  const attach = n.attach ?? [];
  const outputs = Object.keys(ctx.spec.outputs ?? {});
  attach.forEach((a, i) => {
    if (a !== 'rejects' && !outputs.includes(a)) {
      ctx.report('SF202', `\`${a}\` is not an output (or \`rejects\`)`, [...path, 'attach', i], didYouMean(a, [...outputs, 'rejects']) ?? 'attach outputs that write files, or `rejects`');
    }
  });
  if (attach.includes('rejects') && !ctx.spec.rejects?.to) {
    ctx.report('SF202', '`rejects` is attached, but the spec writes no rejects file', [...path, 'attach', attach.indexOf('rejects')], 'add `rejects: { to: CONNECTION }`');
  }
  const found = connectorRole(ctx, path, n.to, n, NOTIFY_LANGUAGE_KEYS, 'notifier');
  if (!found) return undefined;
  const description = found.role.describe(found.describe);
  if (!description) return undefined;
  return { name, connection: n.to, use: found.use, settings: found.describe.settings, when: n.when ?? 'always', attach, target: description.target };
}
