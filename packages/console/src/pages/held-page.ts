// Every held run of every district, with what its guard saw, so one look says what waits for whom.
import { html } from 'hono/html';
import type { RunRecord } from '@sisflow/service';
import { when } from './format.js';
import { guardSection } from './run-page.js';

export function heldPage(held: { slug: string; district: string; run: RunRecord }[]) {
  if (held.length === 0) return html`<p>Nothing is held for approval.</p>`;
  return html`<p>${held.length} run(s) held for approval.</p>
${held.map(
  ({ slug, district, run }) => html`<section aria-labelledby="held-${run.id}">
<h2 id="held-${run.id}"><a href="/d/${slug}/runs/${run.id}">${run.spec}, run ${run.id}</a></h2>
<p>${district} · started ${when(run.startedAt)}</p>
${run.guard ? guardSection(run.guard.outputs, run.guard.held) : ''}
</section>`,
)}`;
}
