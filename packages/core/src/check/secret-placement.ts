// A `${secret:…}` reference may stand only in a setting its connector marks as a credential: a
// secret written into a path, a folder or a file name would be printed in reports, become a file
// name, and travel in plans in clear.
import type { Path } from '../spec/locate.js';
import type { CheckContext } from './context.js';
import { scanReferences } from './references.js';

/**
 * Reports each setting under `value` that holds a `${secret:…}` reference but is not one of
 * `allowed` (dotted setting names relative to `value`, as connectors declare `secretSettings`).
 */
export function checkSecretPlacement(ctx: CheckContext, value: unknown, path: Path, allowed: readonly string[], credentials: string): void {
  const walk = (v: unknown, rel: (string | number)[]): void => {
    if (typeof v === 'string') {
      const secret = scanReferences(v).refs.find((r) => r.kind === 'secret');
      if (secret && !allowed.includes(rel.join('.'))) {
        ctx.report(
          'SF480',
          `\`\${secret:${secret.name}}\` is used in \`${rel.join('.')}\`, which is not a credential setting: its value would be printed in reports and plans`,
          [...path, ...rel],
          allowed.length > 0 ? `secrets go only in ${allowed.map((a) => `\`${a}\``).join(', ')} of ${credentials}; use \${env:NAME} or \${param:NAME} for a value that may be seen` : `${credentials} takes no secret here; use \${env:NAME} or \${param:NAME} for a value that may be seen`,
        );
      }
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...rel, Array.isArray(v) ? Number(k) : k]);
    }
  };
  walk(value, []);
}
