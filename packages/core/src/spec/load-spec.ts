// Loads spec text into a typed Spec: YAML hazards and language-schema errors become diagnostics.
import type { Diagnostic, Result } from '../diagnostics/diagnostic.js';
import { SourceText } from '../diagnostics/source-text.js';
import { decodeSpecBytes, loadYaml } from './load-yaml.js';
import { Locator } from './locate.js';
import { findMisplacedKeys, type Misplaced } from './misplaced-keys.js';
import { LANGUAGE_CODES, schemaDiagnostics } from './schema-diagnostics.js';
import { SPEC_SCHEMA } from './schema.js';
import type { Spec } from './spec.js';

export interface LoadedSpec {
  spec: Spec;
  locator: Locator;
}

export interface LoadOutcome extends Result<LoadedSpec> {
  /** The text that was read, for code frames (absent when it could not be decoded). */
  source?: SourceText;
}

/**
 * A spec is code, not data: past this size it is refused before parsing (a 58 MB spec of test rows
 * ran `validate` out of memory). Large test data belongs in files.
 */
export const MAX_SPEC_BYTES = 1024 * 1024;

export function loadSpec(input: string | Uint8Array, file: string): LoadOutcome {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count the bytes only of a text that may be over.
  const size = typeof input !== 'string' ? input.byteLength : input.length * 3 > MAX_SPEC_BYTES ? new TextEncoder().encode(input).byteLength : input.length;
  if (size > MAX_SPEC_BYTES) {
    const bytes = (n: number) => n.toLocaleString('en-US');
    const at = { line: 1, col: 1, offset: 0 };
    return {
      diagnostics: [
        {
          code: 'SF130',
          severity: 'error',
          message: `the spec is ${bytes(size)} bytes; a spec may be at most ${bytes(MAX_SPEC_BYTES)} (1 MB)`,
          span: { file, start: at, end: at },
          hint: 'a spec holds the mapping, not data: move large test rows into a CSV file and read it with a source, or split the spec',
        },
      ],
    };
  }
  let text: string;
  if (typeof input === 'string') text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  else {
    const decoded = decodeSpecBytes(input, file);
    if (decoded.value === undefined) return { diagnostics: decoded.diagnostics };
    text = decoded.value;
  }
  const yaml = loadYaml(text, file);
  if (!yaml.value) return { diagnostics: yaml.diagnostics, ...(yaml.diagnostics[0]?.span ? { source: sourceOf(text, file) } : {}) };
  const { source, doc, value } = yaml.value;
  const locator = new Locator(source, doc);
  const diagnostics: Diagnostic[] = [...yaml.diagnostics];
  diagnostics.push(...oneRootPerMisplacedKey(schemaDiagnostics({ value, schema: SPEC_SCHEMA, locator, base: [], codes: LANGUAGE_CODES }), findMisplacedKeys(doc, source, SPEC_SCHEMA)));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, source };
  return { value: { spec: value as Spec, locator }, diagnostics, source };
}

/** A key under the wrong parent replaces the schema errors inside it (they follow from it). */
function oneRootPerMisplacedKey(errors: Diagnostic[], misplaced: Misplaced[]): Diagnostic[] {
  if (errors.length === 0) return errors;
  const roots = misplaced.filter((m) => errors.some((e) => inside(e, m.range)));
  const rest = errors.filter((e) => !roots.some((m) => inside(e, m.range)));
  for (const m of roots) {
    const n = errors.filter((e) => inside(e, m.range)).length - 1;
    if (n > 0) m.diagnostic.followers = n;
  }
  return [...roots.map((m) => m.diagnostic), ...rest];
}

function inside(d: Diagnostic, [from, to]: [number, number]): boolean {
  const at = d.span?.start.offset ?? -1;
  return at >= from && at <= to;
}

function sourceOf(text: string, file: string): SourceText {
  return new SourceText(file, text);
}
