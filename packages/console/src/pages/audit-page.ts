// The audit: every approval and discard the history records (who, when, which run published it),
// and what was done through this console since it started, refused logins included.
import { html } from 'hono/html';
import type { RunRecord } from '@sisflow/service';
import type { AuditEntry } from '../console-options.js';
import { status, when } from './format.js';

export function auditPage(decided: { slug: string; district: string; run: RunRecord }[], actions: (AuditEntry & { at: string })[]) {
  return html`<h2>Approvals and discards</h2>
${decided.length === 0 ? html`<p class="muted">None yet.</p>` : html`<table><caption>Decisions on held runs, newest first</caption>
<thead><tr><th scope="col">Decided</th><th scope="col">District</th><th scope="col">Spec</th><th scope="col">Held run</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">Published by</th></tr></thead>
<tbody>${decided.map(({ slug, district, run }) => html`<tr><td>${when(run.decision!.at)}</td><td>${district}</td><td>${run.spec}</td><td><a href="/d/${slug}/runs/${run.id}">${run.id}</a></td><td>${status(run.status)}</td><td>${run.decision!.by}</td><td>${run.decision!.run ? html`<a href="/d/${slug}/runs/${run.decision!.run}">${run.decision!.run}</a>` : '—'}</td></tr>`)}</tbody></table>`}
<h2>Actions in this console</h2>
<p class="muted">Since the console started; every action is also written to the service log.</p>
${actions.length === 0 ? html`<p class="muted">None yet.</p>` : html`<table><caption>Console actions, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">District</th><th scope="col">Spec</th><th scope="col">Run</th><th scope="col">Outcome</th></tr></thead>
<tbody>${actions.map((a) => html`<tr><td>${when(a.at)}</td><td>${a.action}</td><td>${a.by}</td><td>${a.district ?? ''}</td><td>${a.spec ?? ''}</td><td>${a.run ?? ''}</td><td>${a.outcome}</td></tr>`)}</tbody></table>`}`;
}
