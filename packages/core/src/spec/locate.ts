// Finds where a value of the spec sits in the YAML text, so every check can point at the exact node.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import type { Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source-text.js';

export type Path = readonly (string | number)[];

/** A path prefix whose values were taken from elsewhere (a profile overlays connections). */
export interface PathRemap {
  from: Path;
  to: Path;
}

export class Locator {
  private readonly remaps: PathRemap[] = [];

  constructor(
    readonly source: SourceText,
    readonly doc: Document.Parsed,
  ) {}

  get file(): string {
    return this.source.file;
  }

  remap(from: Path, to: Path): void {
    this.remaps.push({ from, to });
  }

  private resolvePath(path: Path): Path {
    for (const r of this.remaps) {
      if (r.from.length <= path.length && r.from.every((seg, i) => seg === path[i])) {
        return [...r.to, ...path.slice(r.from.length)];
      }
    }
    return path;
  }

  /** The node at path, or the deepest existing ancestor with how deep it got. */
  private walk(path: Path): { node: Node | null; pairKey: Node | null; depth: number } {
    let node: Node | null = (this.doc.contents as Node | null) ?? null;
    let pairKey: Node | null = null;
    let depth = 0;
    for (const seg of this.resolvePath(path)) {
      node = this.deref(node);
      let next: Node | null = null;
      let nextKey: Node | null = null;
      if (isMap(node)) {
        for (const item of node.items) {
          if (isPair(item) && keyText(item.key) === String(seg)) {
            next = (item.value as Node | null) ?? (item.key as Node);
            nextKey = item.key as Node;
            break;
          }
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = (node.items[seg] as Node | undefined) ?? null;
      }
      if (!next) break;
      node = next;
      pairKey = nextKey;
      depth++;
    }
    return { node, pairKey, depth };
  }

  private deref(node: Node | null): Node | null {
    if (node && isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return node;
  }

  /** The span of the value at path (falls back to the nearest ancestor that exists). */
  valueSpan(path: Path): Span {
    const { node } = this.walk(path);
    return this.nodeSpan(node);
  }

  /** The span of the key naming the value at path; the value's span when there is no key. */
  keySpan(path: Path): Span {
    const { node, pairKey, depth } = this.walk(path);
    if (depth === this.resolvePath(path).length && pairKey) return this.nodeSpan(pairKey);
    return this.nodeSpan(node);
  }

  /** True when the path exists in the document. */
  has(path: Path): boolean {
    return this.walk(path).depth === this.resolvePath(path).length;
  }

  nodeSpan(node: Node | null): Span {
    const r = node?.range;
    if (!r) return this.source.span(0, 0);
    return this.source.span(r[0], r[1]);
  }

  /** How the scalar at path is written: 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', … */
  scalarStyle(path: Path): string | undefined {
    const { node, depth } = this.walk(path);
    if (depth !== this.resolvePath(path).length) return undefined;
    const n = this.deref(node);
    return n && isScalar(n) ? (n.type ?? undefined) : undefined;
  }

  /**
   * For a string scalar at path: the offset in the file of each character of its value
   * (plus one past the end), so an expression's diagnostics land on the right character
   * whether the scalar is plain, quoted, folded or a block.
   */
  scalarOffsets(path: Path): number[] | undefined {
    const { node, depth } = this.walk(path);
    if (depth !== this.resolvePath(path).length) return undefined;
    const n = this.deref(node);
    if (!n || !isScalar(n) || typeof n.value !== 'string' || !n.range) return undefined;
    return alignScalar(n as Scalar<string>, this.source.text);
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function alignScalar(node: Scalar<string>, text: string): number[] {
  const [start, end] = node.range!;
  let r = start;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nl = text.indexOf('\n', start);
    r = nl < 0 ? end : nl + 1;
  } else if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    r = start + 1;
  }
  const value = node.value;
  const offsets: number[] = new Array(value.length + 1);
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    let k = r;
    // Skip what YAML folded away (indentation, line breaks, quote escapes) until the char lines up.
    while (k < end && text[k] !== ch && !(ch === ' ' && (text[k] === '\n' || text[k] === '\r'))) k++;
    if (k >= end) {
      offsets[i] = Math.min(r, end);
      continue;
    }
    offsets[i] = k;
    r = k + 1;
  }
  offsets[value.length] = Math.min(r, end);
  return offsets;
}
