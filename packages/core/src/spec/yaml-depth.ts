// How deep a YAML document nests. The YAML library composes collections recursively and reports a
// JS stack overflow past about a thousand levels; sisflow stops far earlier, at the first node too
// deep, with a message about the file instead of about the engine.
import { isCollection, isPair, type Document, type Node } from 'yaml';

/** Mappings and lists one inside the other. A spec needs about ten; generated or hostile text needs more. */
export const MAX_YAML_DEPTH = 64;

/** The source range of the first collection nested deeper than MAX_YAML_DEPTH, if any. */
export function tooDeepAt(doc: Document.Parsed): [number, number] | undefined {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isPair(node)) {
      stack.push([node.value, depth], [node.key, depth]);
    } else if (isCollection(node)) {
      if (depth > MAX_YAML_DEPTH) {
        const [start, end] = (node as Node).range ?? [0, 0];
        return [start, Math.min(end, start + 1)];
      }
      for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i], depth + 1]);
    }
  }
  return undefined;
}
