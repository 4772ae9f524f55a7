// The morning page: each district's integrations (schedule, next run, last run, rows, rejects,
// duration trend) and every run of the last 24 hours, failed and held ones first to the eye.
import { html } from 'hono/html';
import type { RunRecord } from '@sisflow/service';
import { count, duration, status, triggerText, when } from './format.js';
import { sparkline } from './sparkline.js';
import { runFigures } from '../runs/run-figures.js';
import type { DistrictView, IntegrationView } from '../runs/console-data.js';

export function overviewPage(districts: DistrictView[], since: string) {
  return html`${districts.length === 0 ? html`<p>No project is served.</p>` : ''}
${districts.map((d) => districtSection(d, since, districts.length > 1))}`;
}

export function districtSection(d: DistrictView, since: string, heading: boolean) {
  const overnight = d.recent.filter((r) => r.startedAt >= since);
  const failed = overnight.filter((r) => r.status === 'failed').length;
  const held = d.recent.filter((r) => r.status === 'held').length;
  // Several districts: each is an h2 with its parts under it as h3; one district: the page's h1 is its name.
  const sub = (text: string) => (heading ? html`<h3>${text}</h3>` : html`<h2>${text}</h2>`);
  return html`<section aria-label="${d.name}">
${heading ? html`<h2><a href="/d/${d.slug}">${d.name}</a></h2>` : ''}
<p class="${failed || held ? 'error' : 'note'}">Last 24 hours: ${overnight.length} run(s), ${failed} failed; ${held} held for approval.</p>
${sub('Integrations')}
${integrationsTable(d)}
${sub('Runs of the last 24 hours')}
${runsTable(d.slug, overnight, `Runs of ${d.name} since ${when(since)}`)}
</section>`;
}

export function integrationsTable(d: DistrictView) {
  if (d.integrations.length === 0) return html`<p>No specs and no runs yet.</p>`;
  return html`<table>
<caption>Integrations of ${d.name}</caption>
<thead><tr><th scope="col">Spec</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col" class="num">Rows read</th><th scope="col" class="num">Rows written</th><th scope="col" class="num">Rejects</th><th scope="col">Duration trend</th></tr></thead>
<tbody>${d.integrations.map((i) => integrationRow(d.slug, i))}</tbody>
</table>`;
}

function integrationRow(slug: string, i: IntegrationView) {
  const last = i.runs[0];
  const f = last && runFigures(last);
  return html`<tr>
<th scope="row"><a href="/d/${slug}/specs/${encodeURIComponent(i.spec)}">${i.spec}</a></th>
<td>${i.schedule ?? html`<span class="muted">by hand</span>`}</td>
<td class="nowrap">${i.next ? when(i.next) : '—'}</td>
<td>${last ? html`${status(last.status)} <a href="/d/${slug}/runs/${last.id}">${when(last.startedAt)}</a>` : html`<span class="muted">never</span>`}</td>
<td class="num">${count(f?.read)}</td><td class="num">${count(f?.written)}</td><td class="num">${count(f?.rejects)}</td>
<td>${sparkline(i.runs)}</td>
</tr>`;
}

export function runsTable(slug: string, runs: RunRecord[], caption: string) {
  if (runs.length === 0) return html`<p class="muted">No runs.</p>`;
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th scope="col">Run</th><th scope="col">Spec</th><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col">Status</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Rows read</th><th scope="col" class="num">Rows written</th><th scope="col" class="num">Rejects</th><th scope="col">Why</th></tr></thead>
<tbody>${runs.map((r) => {
    const f = runFigures(r);
    const why = r.error ?? (r.status === 'held' ? r.guard?.outputs.flatMap((o) => o.breaches.map((b) => `${o.output}: ${b}`)).join('; ') : r.decision ? `${r.status} by ${r.decision.by}` : '');
    return html`<tr>
<th scope="row" class="nowrap"><a href="/d/${slug}/runs/${r.id}">${r.id}</a></th><td>${r.spec}</td><td class="nowrap">${when(r.startedAt)}</td><td>${triggerText(r)}${r.requestedBy ? html` <span class="muted">by ${r.requestedBy}</span>` : ''}</td><td>${status(r.status)}</td>
<td class="num">${duration(r.durationMs)}</td><td class="num">${count(f?.read)}</td><td class="num">${count(f?.written)}</td><td class="num">${count(f?.rejects)}</td><td class="why">${why}</td>
</tr>`;
  })}</tbody>
</table>`;
}
