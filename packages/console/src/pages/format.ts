// How the console writes times, durations, statuses and counts.
import { html } from 'hono/html';
import type { RunRecord, RunStatus } from '@sisflow/service';

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** UTC, to the second: the console's readers sit in many time zones. */
export function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '—';
}

export function status(s: RunStatus) {
  return html`<span class="status status-${s}">${s}</span>`;
}

/** What started a run: a manual run someone asked for from the console (or the fleet's --run-now) is a "run now". */
export function triggerText(run: Pick<RunRecord, 'trigger' | 'requestedBy'>): string {
  if (run.trigger === 'manual' && run.requestedBy) return 'run now';
  return run.trigger === 'catch_up' ? 'catch-up' : run.trigger;
}

export function count(n: number | undefined): string {
  return n === undefined ? '—' : n.toLocaleString('en-US');
}
