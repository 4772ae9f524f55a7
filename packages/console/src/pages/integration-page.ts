// One integration (spec) of a district: its schedule, next run, trend, "run now", and its runs.
import { html } from 'hono/html';
import { when } from './format.js';
import type { Viewer } from './layout.js';
import { runsTable } from './overview-page.js';
import { sparkline } from './sparkline.js';
import type { IntegrationView } from '../runs/console-data.js';

export function integrationPage(slug: string, district: string, i: IntegrationView, viewer: Viewer) {
  return html`<p>District: <a href="/d/${slug}">${district}</a></p>
<dl class="facts">
<dt>Schedule</dt><dd>${i.schedule ?? 'none: runs only by hand'}</dd>
<dt>Next run</dt><dd>${i.next ? when(i.next) : '—'}</dd>
<dt>Duration trend</dt><dd>${sparkline(i.runs)}</dd>
</dl>
${i.canRunNow && viewer.by
    ? html`<form method="post" action="/d/${slug}/specs/${encodeURIComponent(i.spec)}/run"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit">Run now</button></form>`
    : ''}
<h2>Last runs</h2>
${runsTable(slug, i.runs, `The last ${i.runs.length} run(s) of ${i.spec}`)}`;
}
