// A CSV file's header against the declared columns: each column found under exactly one of its
// header names, no header name twice, and a column the file lacks stopping the run before any row
// is read, unless the spec says the destination keeps its value then (`absent: keep`).
import type { RunContext } from '@sisflow/core';
import { cellParser, editDistance } from '@sisflow/core/reading';
import type { CsvColumn, CsvReadOptions } from './csv-settings.js';

/** Raised for a problem with the whole file (missing columns, wrong encoding): the run fails. */
export class CsvFileError extends Error {}

export interface ColumnReader {
  name: string;
  /** The field's position in each record; -1 for an absent column (read as empty). */
  index: number;
  parse: (text: string) => unknown;
}

export function matchHeader(header: string[], options: CsvReadOptions, ctx: RunContext, label: string): ColumnReader[] {
  const names = header.map((h) => h.trim());
  const position = new Map<string, number>();
  names.forEach((n, i) => {
    const seen = position.get(n);
    if (seen !== undefined && n !== '') {
      throw new CsvFileError(`${label}: the header has "${n}" twice, as ${place(seen)} and ${place(i)}; which one holds the data is unknown, so nothing was read`);
    }
    if (seen === undefined) position.set(n, i);
  });
  const found = options.columns.map((c) => c.headers.filter((h) => position.has(h.trim())));
  options.columns.forEach((c, i) => {
    const hits = found[i]!;
    if (hits.length > 1) {
      throw new CsvFileError(`${label}: column ${c.name} is in the header twice, as ${hits.map((h) => `"${h}" (${place(position.get(h.trim())!)})`).join(' and ')}; nothing was read`);
    }
  });
  const missing = options.columns.filter((c, i) => found[i]!.length === 0 && c.absent === 'error');
  if (missing.length > 0) {
    // The closest header no declared column reads (a renamed column); failing that, the closest
    // of all, saying which column reads it (the file simply lacks this one).
    const owner = new Map(options.columns.flatMap((c, i) => found[i]!.map((h) => [h.trim(), c.name] as const)));
    const free = names.filter((n) => n !== '' && !owner.has(n));
    const each = missing.map((c) => {
      const near = closestHeader(c.headers, free) ?? closestHeader(c.headers, [...owner.keys()]);
      const readBy = near !== undefined && owner.has(near) ? ` (read as column ${owner.get(near)!})` : '';
      return `"${c.name}"${c.headers.length > 1 || c.headers[0] !== c.name ? ` (as ${c.headers.map((h) => `"${h}"`).join(' or ')})` : ''}${near ? `, the closest is "${near}"${readBy}` : ''}`;
    });
    throw new CsvFileError(
      `${label} has no column ${each.join('; no column ')}. Its header: ${names.join(', ')}. Nothing was read or written; ` +
        `name the header in the column's \`headers:\`, or say \`absent: keep\` if the destination should keep its value when the file has no such column`,
    );
  }
  const absent = options.columns.filter((_, i) => found[i]!.length === 0);
  for (const c of absent) {
    ctx.warn(`${label} has no column "${c.name}": read as empty, and table outputs computed from it keep the destination's value (absent: keep)`);
    ctx.absent?.(c.name);
  }
  const declared = new Set(found.flat().map((h) => h.trim()));
  const extra = names.filter((n) => n !== '' && !declared.has(n));
  if (extra.length > 0) ctx.warn(`${label}: ignoring column(s) the spec does not declare: ${extra.join(', ')}`);
  return options.columns.map((c: CsvColumn, i) => ({
    name: c.name,
    index: found[i]!.length > 0 ? position.get(found[i]![0]!.trim())! : -1,
    parse: cellParser(c.type, options.dateFormat ? { dateFormat: options.dateFormat } : {}),
  }));
}

/** "column 3 (C)": the position as a person counts it, and as a spreadsheet labels it. */
function place(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `column ${index + 1} (${letters})`;
}

/**
 * The header name most like one of the column's names: most words in common first (a renamed
 * header keeps most of its words: "SPED Meeting Date" → "Special Education Meeting Date"), then
 * the fewest edits.
 */
function closestHeader(wanted: string[], candidates: string[]): string | undefined {
  const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
  let best: { name: string; shared: number; distance: number } | undefined;
  for (const name of candidates) {
    for (const w of wanted) {
      const a = words(w);
      const shared = [...words(name)].filter((x) => a.has(x)).length;
      const distance = editDistance(w.toLowerCase(), name.toLowerCase());
      if (!best || shared > best.shared || (shared === best.shared && distance < best.distance)) best = { name, shared, distance };
    }
  }
  return best && (best.shared > 0 || best.distance <= Math.max(2, Math.floor(best.name.length / 2))) ? best.name : undefined;
}
