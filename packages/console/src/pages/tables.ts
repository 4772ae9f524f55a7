// Tables of rows the console shows as they are (guard samples, first rejects): every column a
// header, every value text.
import { html } from 'hono/html';
import type { Row } from '@sisflow/core';

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function rowsTable(caption: string, rows: Row[], lead?: { header: string; values: string[] }) {
  if (rows.length === 0) return html``;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr>${lead ? html`<th scope="col">${lead.header}</th>` : ''}${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map((r, i) => html`<tr>${lead ? html`<th scope="row">${lead.values[i]}</th>` : ''}${columns.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`)}</tbody>
</table></div>`;
}
