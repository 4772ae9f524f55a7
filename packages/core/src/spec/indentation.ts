// Finds the line where a spec's indentation stops making sense (a dedented or over-indented line,
// a tab), so a YAML structure mistake is reported once, where it was made, with the fix.
import type { SourceText } from '../diagnostics/source-text.js';

export interface StructureBreak {
  line: number;
  /** 1-based column of the first character of the line's content. */
  col: number;
  tab: boolean;
  message: string;
  hint: string;
}

interface Level {
  /** Column (0-based) where the keys of this block start. */
  indent: number;
  /** The key that opened the block (`columns`), or undefined at the top. */
  parent: string | undefined;
  /** A key of this block seen so far, to name in the hint. */
  sibling?: string;
  /** The keys of a list item (`- name: x` and the keys under it): a new `- ` here is misplaced. */
  itemKeys?: boolean;
  /** The line of the key that opened the block, and the block that line stepped out of. */
  opener?: { line: number; col: number; key: string; left: Level | undefined; parentOfLeft: string | undefined };
}

const KEY = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{}[\],&*!|>%@`-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)/;

/** The first line whose indentation fits no block around it, or undefined when every line fits. */
export function findStructureBreak(source: SourceText): StructureBreak | undefined {
  const lines = source.text.split('\n');
  const stack: Level[] = [{ indent: 0, parent: undefined }];
  let opens: string | undefined | null = null; // key whose block the next deeper line starts (null: none)
  let openIndent = 0;
  let blockScalarIndent = -1; // lines deeper than this belong to a block scalar
  let flowDepth = 0;
  let prevIndent = 0;
  let prevKey: string | undefined;
  // The block the previous line stepped out of, and where that line is: a line dedented by mistake
  // shows only when the next line is deeper again.
  let prevPopped: Level | undefined;
  let openerInfo: Level['opener'];
  let prevUnder: { key: string; indent: number } | undefined;
  let prevLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const body = raw.replace(/^[ ]*/, '');
    const indent = raw.length - body.length;
    if (body.trim() === '' || body.startsWith('#')) continue;
    if (blockScalarIndent >= 0) {
      if (indent > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (flowDepth > 0) {
      flowDepth = Math.max(0, flowDepth + bracketBalance(body));
      continue;
    }
    if (body === '---' || body.startsWith('--- ') || body === '...') continue;
    const lineNo = i + 1;
    if (body.startsWith('\t')) {
      const expected = opens !== null ? Math.max(openIndent + 2, indent + 2) : stack[stack.length - 1]!.indent;
      const under = opens !== null ? opens : stack[stack.length - 1]!.parent;
      return {
        line: lineNo,
        col: indent + 1,
        tab: true,
        message: 'a tab indents this line; YAML indents with spaces only',
        hint: `replace the tab with ${expected} space${expected === 1 ? '' : 's'}${under ? `, which puts it under \`${under}:\`` : ''}`,
      };
    }
    let content = body;
    let col = indent;
    // `- key: value`: the item's keys start after the dash.
    while (/^-(\s|$)/.test(content)) {
      const rest = content.slice(1).replace(/^[ ]*/, '');
      col += content.length - rest.length;
      content = rest;
    }
    const isItem = col !== indent;
    let popped: Level | undefined;
    const key = KEY.exec(content);
    const keyName = key ? unquote(key[0].replace(/\s*:$/, '')) : undefined;

    if (opens !== null && indent > openIndent) {
      stack.push({ indent, parent: opens, ...(openerInfo ? { opener: openerInfo } : {}) });
    } else if (opens !== null && isItem && indent === openIndent) {
      // A sequence may sit at the same indentation as its key.
      stack.push({ indent, parent: opens });
    } else if (indent > prevIndent && opens === null) {
      if (keyName !== undefined && !isItem) {
        const top = stack[stack.length - 1]!;
        if (prevUnder && prevUnder.indent < indent) {
          return {
            line: prevLine,
            col: prevIndent + 1,
            tab: false,
            message: `\`${prevKey}:\` is not indented under \`${prevUnder.key}:\`, which has nothing on its own line`,
            hint: `indent it and the lines after it under \`${prevUnder.key}:\` (${indent} spaces, like the lines below it)`,
          };
        }
        if (prevPopped && prevPopped.indent === indent) {
          return {
            line: prevLine,
            col: prevIndent + 1,
            tab: false,
            message: `\`${prevKey}:\` is indented ${prevIndent} spaces, out of the \`${prevPopped.parent}:\` block it sits in`,
            hint: `indent it under \`${prevPopped.parent}:\` (${indent} spaces${prevPopped.sibling ? `, like \`${prevPopped.sibling}:\`` : ''})`,
          };
        }
        return {
          line: lineNo,
          col: indent + 1,
          tab: false,
          message: `\`${keyName}:\` is indented deeper than \`${prevKey ?? 'the line above'}\`, whose value is already on its line`,
          hint: `indent it like \`${prevKey ?? top.sibling}:\` (${prevIndent} space${prevIndent === 1 ? '' : 's'})${top.parent ? `, under \`${top.parent}:\`` : ''}, or move the value of \`${prevKey}:\` to lines below it`,
        };
      }
      continue; // a plain value running on to the next line
    } else {
      popped = undefined;
      while (stack.length > 1 && stack[stack.length - 1]!.indent > indent) {
        popped = stack.pop()!;
        if (stack[stack.length - 1]!.indent < indent) {
          // The block's own key was dedented out of the block around it (a whole block moved
          // left): the mistake is at that key, and this line only shows it.
          const o = popped.opener;
          if (o?.left && o.left.indent === indent) {
            return {
              line: o.line,
              col: o.col,
              tab: false,
              message: `\`${o.key}:\` is indented ${o.col - 1} spaces, out of the \`${o.left.parent}:\` block it sits in`,
              hint: `indent it and the lines under it under \`${o.left.parent}:\` (${o.left.indent} spaces${o.left.sibling ? `, like \`${o.left.sibling}:\`` : ''})`,
            };
          }
          return {
            line: lineNo,
            col: indent + 1,
            tab: false,
            message: `this line is indented ${indent} space${indent === 1 ? '' : 's'}, which lines up with no block around it`,
            hint: `indent it under \`${popped.parent ?? 'the key above'}:\` (${popped.indent} spaces${popped.sibling ? `, like \`${popped.sibling}:\`` : ''}), or out to ${stack[stack.length - 1]!.indent} spaces${stack[stack.length - 1]!.sibling ? ` like \`${stack[stack.length - 1]!.sibling}:\`` : ''}`,
          };
        }
      }
    }
    const top = stack[stack.length - 1]!;
    if (isItem && top.itemKeys && top.indent === indent && stack.length > 1) {
      const seq = stack[stack.length - 2]!;
      return {
        line: lineNo,
        col: indent + 1,
        tab: false,
        message: `this list item is indented like the keys of the item above it, so it cannot start a new item`,
        hint: `indent the \`-\` like the item above (${seq.indent} spaces)${seq.parent ? `, under \`${seq.parent}:\`` : ''}`,
      };
    }
    if (isItem) {
      // The item's own keys form a block at the column after the dash.
      stack.push({ indent: col, parent: top.parent, itemKeys: true, ...(keyName ? { sibling: keyName } : {}) });
    } else if (keyName) top.sibling = keyName;
    // A key right after an empty-valued key, at the same indentation: meant under it, unless the next line says otherwise.
    prevUnder = opens !== null && !isItem && indent === openIndent && keyName !== undefined ? { key: opens, indent } : undefined;
    openerInfo = keyName !== undefined ? { line: lineNo, col: (isItem ? col : indent) + 1, key: keyName, left: popped, parentOfLeft: popped?.parent } : undefined;
    prevPopped = popped;
    prevLine = lineNo;
    prevIndent = isItem ? col : indent;
    prevKey = keyName;
    opens = null;
    if (keyName !== undefined) {
      const value = content.slice(key![0].length).replace(/\s+#.*$/, '').trim();
      if (value === '') {
        opens = keyName;
        openIndent = isItem ? col : indent;
      } else if (/^[|>][0-9+-]*$/.test(value)) blockScalarIndent = isItem ? col : indent;
      else flowDepth = Math.max(0, bracketBalance(value));
    } else if (isItem && content === '') {
      opens = top.parent ?? null;
      openIndent = col;
    } else flowDepth = Math.max(0, bracketBalance(content));
  }
  return undefined;
}

/** Open minus closed brackets outside quotes and comments. */
function bracketBalance(text: string): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || text[i - 1] === ' ')) break;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return depth;
}

function unquote(key: string): string {
  if ((key.startsWith('"') && key.endsWith('"')) || (key.startsWith("'") && key.endsWith("'"))) return key.slice(1, -1);
  return key;
}
