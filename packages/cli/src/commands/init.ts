// `sisflow init destiny|siras|oneroster [DIR]`: a starter spec for an integration — the maintained example,
// with its comments, tests and production profile — plus the JSON Schema beside it for editors.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { specSchemaFor } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors';
import { EXIT, printFailure, type JsonFlag, type Out } from '../io.js';
import { examplePath } from '../examples.js';

/** Integrations `init` knows, and the example each one starts from. */
export const TEMPLATES: Record<string, { example: string; file: string; next: string[] }> = {
  destiny: {
    example: 'examples/destiny/patrons.yaml',
    file: 'patrons.yaml',
    next: [
      'run it on the demo district:      sisflow run patrons.yaml',
      'set your school codes and statuses under params:, then: sisflow test patrons.yaml',
      'ask Follett for the SFTP host, user and password; pin the host key: sisflow sftp fingerprint HOST',
      'create the SQL role:               sisflow grants patrons.yaml --profile production',
      'try production without uploading:  sisflow run patrons.yaml --profile production --dry-run',
    ],
  },
  siras: {
    example: 'examples/siras/export.yaml',
    file: 'siras-export.yaml',
    next: [
      "run its tests (no API needed):     sisflow test siras-export.yaml",
      'set your school codes under params: and your CDS code in the production profile, then: sisflow test siras-export.yaml',
      'the API security areas to grant:   sisflow plan siras-export.yaml',
      'set AERIES_API_URL and the secret aeries_api_cert, then: sisflow access check siras-export.yaml',
      'everything production needs here:  sisflow doctor siras-export.yaml --profile production',
      'try production without uploading:  sisflow run siras-export.yaml --profile production --dry-run',
    ],
  },
  oneroster: {
    example: 'examples/oneroster/csv-export.yaml',
    file: 'oneroster.yaml',
    next: [
      'run it on the demo district:       sisflow run oneroster.yaml',
      'check the bundle it wrote:         sisflow oneroster check out/oneroster.zip',
      'set your district name and school year under params:, then: sisflow test oneroster.yaml',
      'create the SQL role:               sisflow grants oneroster.yaml --profile production',
      'everything production needs here:  sisflow doctor oneroster.yaml --profile production',
    ],
  },
};


export function init(kind: string, dir: string | undefined, flags: JsonFlag & { force?: boolean }, out: Out): number {
  const t = TEMPLATES[kind];
  if (!t) {
    printFailure(out, flags, { message: `error: no template "${kind}"; templates: ${Object.keys(TEMPLATES).join(', ')}` });
    return EXIT.usage;
  }
  const target = resolve(dir ?? '.');
  const spec = join(target, t.file);
  const schema = join(target, 'sisflow.schema.json');
  const existing = [spec, schema].filter((f) => existsSync(f));
  if (existing.length > 0 && !flags.force) {
    printFailure(out, flags, { message: `error: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (--force overwrites)` });
    return EXIT.failed;
  }
  // The example's own comments name it by its place in the checkout; here it is the user's file.
  const text = readFileSync(examplePath(t.example.replace(/^examples\//, '')), 'utf8')
    .replace(/^# yaml-language-server: \$schema=.*$/m, '# yaml-language-server: $schema=./sisflow.schema.json')
    .replaceAll(`pnpm sisflow `, 'sisflow ')
    .replaceAll(t.example, t.file);
  mkdirSync(target, { recursive: true });
  writeFileSync(spec, text);
  writeFileSync(schema, `${JSON.stringify(specSchemaFor(defaultRegistry()), null, 2)}\n`);
  if (flags.json) {
    out.stdout(JSON.stringify({ ok: true, integration: kind, wrote: [spec, schema], next: t.next }, null, 2));
    return EXIT.ok;
  }
  out.stdout(`wrote ${spec}\nwrote ${schema} (editors check the spec against it)\nnext:\n${t.next.map((n) => `  ${n}`).join('\n')}`);
  return EXIT.ok;
}
