// One run: its report (counts per source, step and output; files with sha256; inserted/updated/
// deleted; warnings; the first rejects), what its guard saw, and — when held — approve and discard.
import { html } from 'hono/html';
import type { GuardOutcome, RunRecord } from '@sisflow/service';
import { count, duration, status, triggerText, when } from './format.js';
import type { Viewer } from './layout.js';
import { rowsTable } from './tables.js';

export function runPage(slug: string, run: RunRecord, viewer: Viewer, notice?: string) {
  const r = run.report;
  return html`${notice ? html`<p class="note" role="status">${notice}</p>` : ''}
<dl class="facts">
<dt>Spec</dt><dd><a href="/d/${slug}/specs/${encodeURIComponent(run.spec)}">${run.spec}</a></dd>
<dt>Status</dt><dd>${status(run.status)}${run.decision ? html` by ${run.decision.by} at ${when(run.decision.at)}${run.decision.run ? html`; published by run <a href="/d/${slug}/runs/${run.decision.run}">${run.decision.run}</a>` : ''}` : ''}</dd>
<dt>Trigger</dt><dd>${triggerText(run)}${run.approves ? html` of held run <a href="/d/${slug}/runs/${run.approves}">${run.approves}</a>` : ''}</dd>
${run.requestedBy ? html`<dt>Asked by</dt><dd>${run.requestedBy}</dd>` : ''}
<dt>Started</dt><dd>${when(run.startedAt)}</dd>
<dt>Duration</dt><dd>${duration(run.durationMs)}</dd>
<dt>Plan</dt><dd><code>${run.planHash.slice(0, 12)}</code></dd>
${Object.keys(run.params).length ? html`<dt>Parameters</dt><dd>${Object.entries(run.params).map(([k, v]) => html`<code>${k}=${typeof v === 'string' ? v : JSON.stringify(v)}</code> `)}</dd>` : ''}
</dl>
${run.error ? html`<h2>Error</h2><pre class="error">${run.error}</pre>` : ''}
${run.status === 'held' ? decisionForms(slug, run, viewer) : ''}
${run.guard ? guardSection(run.guard.outputs, run.guard.held) : ''}
${r ? html`
<h2>Sources</h2>
<table><caption>Rows read per source</caption>
<thead><tr><th scope="col">Source</th><th scope="col" class="num">Rows read</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">Filtered</th></tr></thead>
<tbody>${Object.entries(r.sources).map(([n, s]) => html`<tr><th scope="row">${n}</th><td class="num">${count(s.rows)}</td><td class="num">${count(s.rejected)}</td><td class="num">${count(s.filtered ?? 0)}</td></tr>`)}</tbody></table>
${Object.keys(r.steps).length ? html`<h2>Steps</h2>
<table><caption>Rows in and out of each step</caption>
<thead><tr><th scope="col">Step</th><th scope="col" class="num">In</th><th scope="col" class="num">Out</th><th scope="col" class="num">Filtered</th><th scope="col" class="num">Rejected</th><th scope="col" class="num">Deduplicated</th></tr></thead>
<tbody>${Object.entries(r.steps).map(([n, s]) => html`<tr><th scope="row">${n}</th><td class="num">${count(s.in)}</td><td class="num">${count(s.out)}</td><td class="num">${count(s.filtered)}</td><td class="num">${count(s.rejected)}</td><td class="num">${count(s.deduplicated)}</td></tr>`)}</tbody></table>` : ''}
<h2>Outputs</h2>
<table><caption>Rows written per output</caption>
<thead><tr><th scope="col">Output</th><th scope="col" class="num">Rows</th><th scope="col">Published</th></tr></thead>
<tbody>${Object.entries(r.outputs).map(([n, o]) => html`<tr><th scope="row">${n}</th><td class="num">${count(o.rows)}</td><td>${o.committed ? 'published' : run.status === 'held' ? 'staged, held for approval' : 'not published'}</td></tr>`)}</tbody></table>
${filesTable(Object.entries(r.outputs).flatMap(([n, o]) => o.files.map((f) => ({ output: n, ...f }))))}
${changesTable(Object.entries(r.outputs).flatMap(([n, o]) => Object.entries(o.changes ?? {}).map(([table, c]) => ({ output: n, table, ...c }))))}
<h2>Warnings</h2>
${r.warnings.length ? html`<ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p class="muted">None.</p>`}
<h2>Rejects</h2>
${r.rejects.count === 0 ? html`<p class="muted">None.</p>` : html`<p>${count(r.rejects.count)} row(s) rejected${r.rejects.files.length ? html`; all of them in ${r.rejects.files.map((f) => html`<code>${f.path}</code> `)}` : ''}.</p>
<table><caption>The first ${r.rejects.sample.length} reject(s)</caption>
<thead><tr><th scope="col">Source</th><th scope="col">Step</th><th scope="col" class="num">Line</th><th scope="col">Kind</th><th scope="col">Reason</th><th scope="col">Row</th></tr></thead>
<tbody>${r.rejects.sample.map((j) => html`<tr><td>${j.source}</td><td>${j.step}</td><td class="num">${j.line}</td><td>${j.kind}</td><td>${j.reason}</td><td><code>${j.data}</code></td></tr>`)}</tbody></table>`}
` : html`<p class="muted">No report: the run ${run.status === 'running' ? 'is still running' : 'ended before it had one'}.</p>`}`;
}

function decisionForms(slug: string, run: RunRecord, viewer: Viewer) {
  if (!viewer.by) {
    return html`<p class="note">Held for approval. ${viewer.canLogin ? html`<a href="/login?next=${encodeURIComponent(`/d/${slug}/runs/${run.id}`)}">Sign in</a> to approve or discard it.` : 'Approve or discard it with `sisflow approve` or `sisflow discard`.'}</p>`;
  }
  return html`<section aria-labelledby="decide"><h2 id="decide">Decide</h2>
<p>Approving publishes the staged outputs exactly as staged; discarding removes them and publishes nothing.</p>
<form class="inline" method="post" action="/d/${slug}/runs/${run.id}/approve"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit">Approve and publish</button></form>
<form class="inline" method="post" action="/d/${slug}/runs/${run.id}/discard"><input type="hidden" name="csrf" value="${viewer.csrf}"><button type="submit" class="secondary">Discard</button></form>
</section>`;
}

export function guardSection(outputs: GuardOutcome[], held: boolean) {
  return html`<h2>What the guard saw</h2>
<p>${held ? 'The guard held this run: its outputs were staged, not published.' : 'Within the guard\u2019s limits.'}</p>
<table><caption>Guarded outputs against the last published</caption>
<thead><tr><th scope="col">Output</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Last published</th><th scope="col" class="num">Removed</th><th scope="col" class="num">Added</th><th scope="col" class="num">Changed</th><th scope="col">Limits passed</th></tr></thead>
<tbody>${outputs.map((o) => html`<tr><th scope="row">${o.output}</th><td class="num">${count(o.rows)}</td><td class="num">${count(o.previous)}</td><td class="num">${count(o.removed)}</td><td class="num">${count(o.added)}</td><td class="num">${count(o.changed)}</td><td>${o.breaches.length ? o.breaches.join('; ') : 'none'}</td></tr>`)}</tbody></table>
${outputs.map((o) => html`${rowsTable(`${o.output}: sample of removed rows`, o.sample.removed)}${rowsTable(`${o.output}: sample of added rows`, o.sample.added)}${rowsTable(
    `${o.output}: sample of changed rows (before, then after)`,
    o.sample.changed.flatMap((c) => [c.before, c.after]),
    { header: 'Version', values: o.sample.changed.flatMap(() => ['before', 'after']) },
  )}`)}`;
}

function filesTable(files: { output: string; path: string; bytes: number; sha256: string }[]) {
  if (files.length === 0) return html``;
  return html`<table><caption>Files written</caption>
<thead><tr><th scope="col">Output</th><th scope="col">File</th><th scope="col" class="num">Bytes</th><th scope="col">SHA-256</th></tr></thead>
<tbody>${files.map((f) => html`<tr><td>${f.output}</td><td><code>${f.path}</code></td><td class="num">${count(f.bytes)}</td><td><code>${f.sha256}</code></td></tr>`)}</tbody></table>`;
}

function changesTable(changes: { output: string; table: string; inserted: number; updated: number; deleted: number }[]) {
  if (changes.length === 0) return html``;
  return html`<table><caption>Database changes</caption>
<thead><tr><th scope="col">Output</th><th scope="col">Table</th><th scope="col" class="num">Inserted</th><th scope="col" class="num">Updated</th><th scope="col" class="num">Deleted</th></tr></thead>
<tbody>${changes.map((c) => html`<tr><td>${c.output}</td><td>${c.table}</td><td class="num">${count(c.inserted)}</td><td class="num">${count(c.updated)}</td><td class="num">${count(c.deleted)}</td></tr>`)}</tbody></table>`;
}
