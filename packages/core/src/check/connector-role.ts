// What sources and outputs share: their connection exists, its connector can play the role, and
// the settings written beside `from:`/`to:` fit the connector's schema for that role.
import type { Connector, DescribeContext, NotifierRole, Settings, SinkRole, SourceRole } from '../connector/connector.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { foreignDatePattern, foreignPatternHint } from '../expr/date-pattern-dialect.js';
import type { Path } from '../spec/locate.js';
import { CONNECTOR_CODES, schemaDiagnostics } from '../spec/schema-diagnostics.js';
import type { CheckContext } from './context.js';
import { checkSecretPlacement } from './secret-placement.js';

export interface RoleUse<R> {
  use: string;
  role: R;
  /** The context passed to the role's `describe` (spec settings, connection settings, report). */
  describe: DescribeContext;
}

const ROLE = {
  source: { key: 'from', verb: 'read from', hint: 'use a connection whose connector is a source', noun: 'source' },
  sink: { key: 'to', verb: 'written to', hint: 'use a connection whose connector is a sink (files, sftp, …)', noun: 'output' },
  notifier: { key: 'to', verb: 'used to notify', hint: 'use a connection whose connector can notify (smtp)', noun: 'notification' },
} as const;

export function connectorRole<K extends 'source' | 'sink' | 'notifier'>(
  ctx: CheckContext,
  path: Path,
  connection: string,
  spec: Record<string, unknown>,
  languageKeys: readonly string[],
  kind: K,
): RoleUse<K extends 'source' ? SourceRole : K extends 'sink' ? SinkRole : NotifierRole> | undefined {
  const r = ROLE[kind];
  const conn = ctx.spec.connections?.[connection];
  if (!conn) {
    ctx.report('SF201', `unknown connection \`${connection}\``, [...path, r.key], didYouMean(connection, Object.keys(ctx.spec.connections ?? {})) ?? 'declare it under `connections:`');
    return undefined;
  }
  const connector: Connector | undefined = ctx.registry.get(conn.use);
  if (!connector) return undefined; // reported with the connection
  const role = connector[kind];
  if (!role) {
    ctx.report('SF214', `the ${conn.use} connector cannot be ${r.verb}`, [...path, r.key], r.hint);
    return undefined;
  }
  const written = Object.fromEntries(Object.entries(spec).filter(([k]) => !languageKeys.includes(k)));
  checkSecretPlacement(ctx, written, path, [], `${/^[aeiou]/.test(r.noun) ? 'an' : 'a'} ${r.noun}`);
  const settings = withParams(ctx, written, path) as Settings;
  // A `${param:…}` still in place belongs to a parameter that failed its own checks (reported there).
  const unresolved = (v: unknown) => typeof v === 'string' && /^\$\{param:[A-Za-z_][A-Za-z0-9_]*\}$/.test(v);
  const errors = schemaDiagnostics({ value: settings, schema: role.settings, locator: ctx.locator, base: path, codes: CONNECTOR_CODES, subject: `a ${conn.use} ${r.noun}`, isReference: unresolved });
  ctx.diagnostics.push(...errors);
  if (errors.length > 0) return undefined;
  if (typeof settings.date_format === 'string') {
    // Connectors that read dates from text take a pattern in the expression language's letters.
    const f = foreignDatePattern(settings.date_format);
    if (f) ctx.report('SF315', `date_format '${settings.date_format}' is written in another library's letters: ${f.why}`, [...path, 'date_format'], foreignPatternHint(f));
  }
  const { use, ...connSettings } = conn;
  return {
    use,
    role: role as K extends 'source' ? SourceRole : K extends 'sink' ? SinkRole : NotifierRole,
    describe: { settings, connection: connSettings, report: (code, message, rel, hint) => ctx.report(code, message, [...path, ...rel], hint) },
  };
}

/** Settings that name a file or a folder: a parameter may steer them only within their folder. */
const PATH_SETTING = /(^|_)(path|dir|folder|file|snapshot)$/;
const PARAM_REFERENCE = /\$\{param:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * `${param:NAME}` in a source's or output's settings, replaced by the parameter's value when the
 * spec is compiled (a file name that depends on a parameter, say); the plan holds the result.
 */
export function withParams(ctx: CheckContext, value: unknown, path: Path): unknown {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\})/g)) {
      if (!ctx.params.has(m[1]!) || value[m.index! + 1] === '{') continue;
      ctx.usedParams.add(m[1]!);
      ctx.report('SF223', `\`${m[0]}\` is how an expression names a parameter; a setting takes it as plain text`, path, `write \`\${param:${m[1]}}\` to put the parameter's value in a setting`);
      return value;
    }
    // A setting that is only a reference takes the parameter's value as it is: a list of schools,
    // a number (`page_size: ${param:page_size}`), a yes/no.
    const whole = /^\$\{param:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    const p = whole ? ctx.params.get(whole[1]!) : undefined;
    if (p && (Array.isArray(p.value) || typeof p.value === 'number' || typeof p.value === 'boolean')) {
      ctx.usedParams.add(whole![1]!);
      return p.value;
    }
    return value.replace(PARAM_REFERENCE, (whole, name: string) => {
      const p = ctx.params.get(name);
      ctx.usedParams.add(name);
      if (p?.unresolved) return whole;
      if (!p) {
        ctx.report('SF210', `\`${whole}\` names no declared parameter`, path, didYouMean(name, [...ctx.params.keys()]) ?? 'declare it under `params:`');
        return whole;
      }
      if (p.value === null || typeof p.value === 'object') {
        ctx.report('SF211', `\`${whole}\` must be a text, number or date parameter to be written into a setting (a list only as the whole value)`, path);
        return whole;
      }
      const text = String(p.value);
      const key = path[path.length - 1];
      if (typeof key === 'string' && PATH_SETTING.test(key) && (/^[\\/]|^[A-Za-z]:/.test(text) || text.split(/[\\/]/).includes('..'))) {
        ctx.report('SF270', `\`${whole}\` is ${JSON.stringify(text)}, which would take \`${key}\` out of its folder`, path, `a parameter may name a folder or file inside the one the spec fixes (\`dir: /srv/sftp/\${param:${name}}\`), never an absolute path or \`..\``);
        return name; // a harmless stand-in, so the setting raises no second error
      }
      return text;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => withParams(ctx, v, [...path, i]));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withParams(ctx, v, [...path, k])]));
  return value;
}
