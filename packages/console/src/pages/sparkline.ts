// The duration trend of a spec's last runs as an inline SVG (no script, no image request), with a
// text alternative that says the same in words.
import { html } from 'hono/html';
import type { RunRecord } from '@sisflow/service';
import { duration } from './format.js';

const W = 120;
const H = 24;

export function sparkline(runs: RunRecord[]) {
  const timed = runs.filter((r) => r.durationMs !== undefined).reverse(); // oldest first
  if (timed.length < 2) return html`<span class="muted">—</span>`;
  const max = Math.max(...timed.map((r) => r.durationMs!), 1);
  const step = W / (timed.length - 1);
  const points = timed.map((r, i) => `${(i * step).toFixed(1)},${(H - 2 - ((r.durationMs! / max) * (H - 4))).toFixed(1)}`).join(' ');
  const last = timed[timed.length - 1]!;
  const label = `Duration of the last ${timed.length} runs: from ${duration(Math.min(...timed.map((r) => r.durationMs!)))} to ${duration(max)}, last ${duration(last.durationMs)}`;
  return html`<svg class="spark" role="img" aria-label="${label}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><title>${label}</title><polyline fill="none" stroke="#16324f" stroke-width="1.5" points="${points}"/></svg>`;
}
