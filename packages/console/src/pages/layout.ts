// The page frame every console page shares: language, skip link, navigation, main landmark, and a
// stylesheet with AA contrast and visible keyboard focus. No script: every action is a form.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Viewer {
  /** Who is logged in (absent: read-only). */
  by?: string;
  /** The session's CSRF token, for the forms of this page. */
  csrf?: string;
  /** The admin token is configured: offer the login form. */
  canLogin: boolean;
}

const STYLE = `
:root { color-scheme: light; --fg:#1b1b1b; --muted:#4a4a4a; --bg:#ffffff; --line:#c9c9c9; --link:#0b4f9c; --bad:#a4161a; --warn:#7a4a00; --ok:#1e6b34; --band:#f2f4f7; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color:var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, summary:focus-visible { outline:3px solid #1a5fb4; outline-offset:2px; }
.skip { position:absolute; left:-9999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:4px 8px; z-index:2; }
header { background:#16324f; color:#fff; padding:10px 20px; display:flex; gap:24px; align-items:center; flex-wrap:wrap; }
header a { color:#fff; } header .brand { font-weight:700; text-decoration:none; }
nav ul { list-style:none; display:flex; gap:16px; margin:0; padding:0; }
header form { margin-left:auto; } header .who { margin-left:auto; }
main { padding:16px 20px 40px; max-width:1200px; }
h1 { font-size:1.5rem; margin:8px 0 12px; } h2 { font-size:1.2rem; margin:24px 0 8px; } h3 { font-size:1.05rem; margin:16px 0 6px; }
table { border-collapse:collapse; width:100%; margin:6px 0 12px; }
caption { text-align:left; font-weight:600; padding:4px 0; }
th, td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
th { background:var(--band); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.status { font-weight:700; } .status-failed, .status-cancelled { color:var(--bad); } .status-held { color:var(--warn); } .status-ok, .status-approved { color:var(--ok); } .status-discarded, .status-running { color:var(--muted); }
.muted { color:var(--muted); }
.note { background:var(--band); border-left:4px solid #16324f; padding:8px 12px; margin:8px 0; }
.error { background:#fbe9e9; border-left:4px solid var(--bad); padding:8px 12px; margin:8px 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:0.9em; }
pre { background:var(--band); padding:8px; overflow-x:auto; white-space:pre-wrap; word-break:break-word; }
button { font:inherit; padding:6px 14px; border-radius:4px; border:1px solid #16324f; background:#16324f; color:#fff; cursor:pointer; }
button.secondary { background:#fff; color:#16324f; }
header button { background:#fff; color:#16324f; }
form.inline { display:inline; }
label { display:block; font-weight:600; margin:10px 0 4px; }
input[type=text], input[type=password] { font:inherit; padding:6px 8px; width:min(420px, 100%); border:1px solid #767676; border-radius:4px; }
svg.spark { vertical-align:middle; }
.nowrap { white-space:nowrap; }
td.why { min-width:22em; }
.scroll { overflow-x:auto; max-width:100%; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:8px 0 16px; }
dl.facts dt { font-weight:600; } dl.facts dd { margin:0; }
`;

export function layout(title: string, viewer: Viewer, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sisflow</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<a class="brand" href="/">sisflow console</a>
<nav aria-label="Main">
<ul>
<li><a href="/">Overview</a></li>
<li><a href="/held">Held runs</a></li>
<li><a href="/audit">Audit</a></li>
</ul>
</nav>
${viewer.by
    ? html`<form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="${viewer.csrf}"><span>Signed in as ${viewer.by}</span> <button type="submit">Sign out</button></form>`
    : viewer.canLogin
      ? html`<a class="who" href="/login">Sign in to approve</a>`
      : html`<span class="who">Read-only</span>`}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
