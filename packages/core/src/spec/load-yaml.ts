// Reads spec text into a YAML document with source positions, turning every YAML hazard into a diagnostic.
import { parseAllDocuments, visit, type Document } from 'yaml';
import { diagnostic, type Diagnostic, type Result } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { SourceText } from '../diagnostics/source-text.js';
import { findStructureBreak } from './indentation.js';
import { MAX_YAML_DEPTH, tooDeepAt } from './yaml-depth.js';

export interface YamlFile {
  source: SourceText;
  doc: Document.Parsed;
  value: unknown;
}

/** Aliases are expanded at most this many times: enough for real specs, far too few for an alias bomb. */
export const MAX_ALIAS_EXPANSIONS = 200;

export function decodeSpecBytes(bytes: Uint8Array, file: string): Result<string> {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return fail('SF106', 'the spec is UTF-16 encoded; sisflow reads UTF-8 specs', file, 'save the file as UTF-8');
  }
  try {
    return { value: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)), diagnostics: [] };
  } catch {
    const bad = firstInvalidUtf8(bytes, start);
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(start, bad));
    const src = new SourceText(file, prefix);
    return {
      diagnostics: [
        diagnostic('SF106', `byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad} is not valid UTF-8`, {
          span: src.span(prefix.length, prefix.length + 1),
          hint: 'save the file as UTF-8 (it looks like Windows-1252 or Latin-1)',
        }),
      ],
    };
  }
}

function fail(code: DiagnosticCode, message: string, file: string, hint: string): Result<string> {
  return { diagnostics: [diagnostic(code, message, { span: new SourceText(file, '').span(0, 0), hint })] };
}

function firstInvalidUtf8(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if (bytes[i + k]! >> 6 !== 0b10) return i;
    i += len;
  }
  return i;
}

const YAML_CODES: Partial<Record<string, DiagnosticCode>> = {
  DUPLICATE_KEY: 'SF102',
  TAB_AS_INDENT: 'SF103',
  TAG_RESOLVE_FAILED: 'SF108',
  MULTIPLE_DOCS: 'SF104',
};

const YAML_DEPTH_HINT = 'a spec nests a few levels deep: flatten the structure, or move generated data into a CSV file that a source reads';

const YAML_HINTS: Partial<Record<DiagnosticCode, string>> = {
  SF102: 'each key may appear once in a mapping; remove or rename one of them',
  SF103: 'indent YAML with spaces, never tabs',
  SF108: 'sisflow specs use plain YAML values; remove the tag',
};

export function loadYaml(text: string, file: string): Result<YamlFile> {
  const source = new SourceText(file, text);
  const diagnostics: Diagnostic[] = [];
  if (text.replace(/#.*$/gm, '').trim() === '') {
    diagnostics.push(
      diagnostic('SF105', 'the spec is empty', {
        span: source.span(0, 0),
        hint: 'start with `sisflow: 1` and a `name:`; `sisflow init destiny` writes a starter spec',
      }),
    );
    return { diagnostics };
  }
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (!Array.isArray(docs)) {
    return { diagnostics: [diagnostic('SF105', 'the spec is empty', { span: source.span(0, 0) })] };
  }
  const doc = docs[0]!;
  if (docs.length > 1) {
    const second = docs[1]!;
    const at = second.range[0];
    diagnostics.push(
      diagnostic('SF104', `the file holds ${docs.length} YAML documents; a spec is exactly one`, {
        span: source.span(at, at + 3),
        hint: 'remove the `---` separator, or split the file into one spec per file',
      }),
    );
  }
  for (const d of docs) {
    // Before the parser's own errors: past about a thousand levels they are a JS stack overflow.
    const deep = tooDeepAt(d);
    if (deep) return { diagnostics: [diagnostic('SF101', `the YAML nests deeper than ${MAX_YAML_DEPTH} levels of mappings and lists`, { span: source.span(deep[0], deep[1]), hint: YAML_DEPTH_HINT })] };
  }
  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) {
      const code = YAML_CODES[e.code] ?? 'SF101';
      if (code === 'SF104') continue;
      const overflow = e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message);
      if (overflow) {
        diagnostics.push(diagnostic('SF101', `the YAML nests too deeply to read (at most ${MAX_YAML_DEPTH} levels)`, { span: source.span(e.pos[0], e.pos[1]), hint: YAML_DEPTH_HINT }));
        continue;
      }
      const message = cleanYamlMessage(e.message);
      diagnostics.push(diagnostic(code, message, { span: source.span(e.pos[0], e.pos[1]), hint: YAML_HINTS[code] }));
    }
  }
  if (diagnostics.length > 0) return { diagnostics: oneRootPerStructureMistake(dedupeByPosition(diagnostics), source) };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (err) {
    if (err instanceof ReferenceError || /alias/i.test(String((err as Error).message))) {
      const at = firstAliasOffset(doc);
      return {
        diagnostics: [
          diagnostic('SF107', `aliases expand to too many nodes (limit ${MAX_ALIAS_EXPANSIONS})`, {
            span: source.span(at, at + 1),
            hint: 'this looks like an alias bomb; write the values out or use fewer nested aliases',
          }),
        ],
      };
    }
    throw err;
  }
  if (value === null || value === undefined) {
    return { diagnostics: [diagnostic('SF105', 'the spec is empty', { span: source.span(0, 0) })] };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    const r = doc.contents?.range ?? [0, 0];
    return {
      diagnostics: [
        diagnostic('SF109', `a spec is a mapping of keys (sisflow, name, sources, …), not ${Array.isArray(value) ? 'a list' : 'a single value'}`, {
          span: source.span(r[0], r[1]),
        }),
      ],
    };
  }
  return { value: { source, doc, value }, diagnostics };
}

/**
 * A dedented line or a tab makes the YAML parser report a problem on nearly every line after it.
 * They all follow from one mistake: report it once, where the indentation breaks, and count the rest.
 */
function oneRootPerStructureMistake(ds: Diagnostic[], source: SourceText): Diagnostic[] {
  const structural = ds.filter((d) => d.code === 'SF101' || d.code === 'SF103');
  if (structural.length === 0) return ds;
  const others = ds.filter((d) => !structural.includes(d));
  const found = findStructureBreak(source);
  const first = structural[0]!;
  let root: Diagnostic;
  if (found && found.line <= first.span!.start.line + 1) {
    const at = source.lineStarts[found.line - 1]! + found.col - 1;
    const end = source.lineStarts[found.line - 1]! + source.lineText(found.line).length;
    root = diagnostic(found.tab ? 'SF103' : 'SF101', found.message, { span: source.span(at, end), hint: found.hint });
  } else {
    root = { ...first, hint: first.hint ?? structureHint(first.message) };
  }
  const followers = structural.length - (structural.some((d) => sameLine(d, root)) ? 1 : 0);
  if (followers > 0) root.followers = followers;
  return [root, ...others];
}

function sameLine(a: Diagnostic, b: Diagnostic): boolean {
  return a.span?.start.line === b.span?.start.line && a.code === b.code;
}

function structureHint(message: string): string {
  if (/flow (map|collection|sequence)|missing closing|unexpected end/i.test(message)) return 'close every `{` with `}` and every `[` with `]` on the same entry';
  if (/quote|quoted/i.test(message)) return 'close the quote; inside single quotes write a quote as two: \'it\'\'s\'';
  if (/implicit keys|block scalar|indent/i.test(message)) return 'line the key up with its siblings, two spaces deeper than its parent';
  return 'check the indentation and brackets of this line and the one above it';
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

function dedupeByPosition(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.span?.start.offset}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function firstAliasOffset(doc: Document.Parsed): number {
  let at = 0;
  visit(doc, {
    Alias(_, node) {
      at = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return at;
}

