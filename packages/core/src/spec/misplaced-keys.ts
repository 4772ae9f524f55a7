// Keys under the wrong parent: a block dedented as a whole (`columns:` lined up with the step's
// name makes a step called `columns`) or a key moved out of its block (`dedupe:` at the top level).
// Each is one mistake: it is reported once, at the key, with the block it belongs in.
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source-text.js';
import type { JsonSchema } from './schema.js';

export interface Misplaced {
  diagnostic: Diagnostic;
  /** Offsets covered by the misplaced key and its value: problems inside follow from it. */
  range: [number, number];
}

interface MapAt {
  node: Node;
  schema: JsonSchema;
  /** How messages name the block: "the step `patrons`", "`steps`", "the top level". */
  label: string;
  /** The key that opens the block, for "indent it under `…:`". */
  opener: string | undefined;
  /** What one entry of a named map is called ("step"), when the block is one. */
  entry: string | undefined;
  start: number;
}

export function findMisplacedKeys(doc: Document.Parsed, source: SourceText, schema: JsonSchema): Misplaced[] {
  const maps: MapAt[] = [];
  collect(doc.contents as Node | null, schema, 'the top level', undefined, undefined, maps);
  const out: Misplaced[] = [];
  for (const m of maps) {
    if (!isMap(m.node)) continue;
    const props = properties(m.schema);
    const item = itemSchema(m.schema);
    for (const pair of m.node.items as Pair<Node, Node>[]) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
      const key = String(pair.key.value);
      const unknown = props !== undefined && !(key in props) && m.schema.additionalProperties === false;
      const itemProps = item ? properties(item) : undefined;
      const nameLikeItemKey = props === undefined && itemProps !== undefined && key in itemProps && !fitsItem(pair.value, item!);
      if (!unknown && !nameLikeItemKey) continue;
      const at = pair.key.range[0];
      const home = closestHome(maps, key, at, m);
      // Only a key that left a block it was in: a block opened after the other one (a wrong key
      // in `rejects:` that an output happens to have) is a wrong key, not a misplaced one.
      if (!home || home.start < m.start) continue;
      const end = pair.value?.range?.[1] ?? pair.key.range[1];
      const col = source.position(home.start).col - 1;
      const where = nameLikeItemKey ? `lines up as a ${m.entry ?? 'entry'} of its own` : `sits in ${m.label}`;
      out.push({
        range: [at, end],
        diagnostic: diagnostic('SF118', `\`${key}:\` ${where}, but it belongs in ${home.label}`, {
          span: source.span(at, pair.key.range[1]),
          hint: home.opener ? `indent it under \`${home.opener}:\` (${col} spaces, like the other keys there)` : `move it out to ${col} spaces`,
        }),
      });
    }
  }
  return out;
}

/** The nearest block before `at` whose schema knows `key`, other than the one it is in. */
function closestHome(maps: MapAt[], key: string, at: number, current: MapAt): MapAt | undefined {
  let best: MapAt | undefined;
  for (const m of maps) {
    if (m === current || m.start >= at) continue;
    const props = properties(m.schema);
    if (!props || !(key in props)) continue;
    if (!best || m.start > best.start) best = m;
  }
  return best;
}

function fitsItem(value: Node | null | undefined, item: JsonSchema): boolean {
  if (!isMap(value)) return false;
  const props = properties(item) ?? {};
  const keys = value.items.map((p) => (isPair(p) && isScalar(p.key) ? String(p.key.value) : ''));
  const required = (item.required as string[] | undefined) ?? [];
  if (required.some((r) => !keys.includes(r))) return false;
  return item.additionalProperties !== false || keys.every((k) => k in props);
}

function properties(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  return schema.properties as Record<string, JsonSchema> | undefined;
}

function itemSchema(schema: JsonSchema): JsonSchema | undefined {
  const a = schema.additionalProperties;
  return a && typeof a === 'object' && (a as JsonSchema).properties ? (a as JsonSchema) : undefined;
}

const LABELS: Record<string, string> = { sources: 'source', steps: 'step', outputs: 'output', connections: 'connection', params: 'parameter', profiles: 'profile', notify: 'notification', lookup: 'lookup' };

function collect(node: Node | null, schema: JsonSchema | undefined, label: string, opener: string | undefined, entry: string | undefined, into: MapAt[]): void {
  if (!node || !schema || !node.range) return;
  if (isMap(node)) {
    into.push({ node, schema, label, opener, entry, start: firstKeyStart(node) });
    const props = properties(schema);
    const item = itemSchema(schema);
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const child = props?.[key] ?? item ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as JsonSchema) : undefined);
      const childEntry = props?.[key] && itemSchema(objectBranch(props[key]) ?? {}) ? LABELS[key] : undefined;
      const childLabel = props?.[key] ? `\`${key}\`` : item ? `the ${entry ?? 'entry'} \`${key}\`` : `\`${key}\``;
      collect(pair.value as Node | null, objectBranch(child), childLabel, key, childEntry, into);
    }
  } else if (isSeq(node)) {
    const items = objectBranch(schema.items as JsonSchema | undefined);
    node.items.forEach((n, i) => collect(n as Node, items, `item ${i + 1} of ${label}`, opener, undefined, into));
  }
}

function objectBranch(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  const alts = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (alts) return alts.find((a) => a.type === 'object' || a.properties) ?? alts.find((a) => a.type === 'array');
  return schema;
}

function firstKeyStart(node: Node): number {
  if (isMap(node)) {
    const first = node.items[0];
    if (first && isPair(first) && isScalar(first.key) && first.key.range) return first.key.range[0];
  }
  return node.range![0];
}
