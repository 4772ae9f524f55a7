// The console's routes (Hono): read-only pages for anyone who can reach it; approve, discard and
// "run now" for an admin — a session from the login form (a signed session cookie + its CSRF token on
// every form) or `Authorization: Bearer <token>` — each recorded with who did it.
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { approveRun, discardRun, type RunRecord } from '@sisflow/service';
import { adminToken } from './auth/admin-token.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { sameSecret, SESSION_LIFETIME_MS, Sessions } from './auth/sessions.js';
import type { AuditEntry, ConsoleOptions } from './console-options.js';
import { ConsoleMetrics } from './metrics/console-metrics.js';
import { auditPage } from './pages/audit-page.js';
import { heldPage } from './pages/held-page.js';
import { integrationPage } from './pages/integration-page.js';
import { layout, type Html, type Viewer } from './pages/layout.js';
import { loginPage, messagePage } from './pages/login-page.js';
import { districtSection, overviewPage } from './pages/overview-page.js';
import { runPage } from './pages/run-page.js';
import { districtOf, districtSlug, districtView } from './runs/console-data.js';

const COOKIE = 'sisflow_console';
const DAY_MS = 86_400_000;
/** Console actions kept for the audit page (the service log keeps them all). */
const AUDIT_KEPT = 500;
const NOTICES: Record<string, string> = {
  approved: 'Approved: the staged outputs are published.',
  discarded: 'Discarded: the staged outputs are removed; nothing was published.',
  started: 'Run started.',
};

interface Admin {
  by: string;
}

export interface ConsoleApp {
  app: Hono;
  metrics: ConsoleMetrics;
}

export function createConsoleApp(o: ConsoleOptions): ConsoleApp {
  const now = o.now ?? (() => new Date());
  const sessions = new Sessions(now, () => adminToken(o.secrets));
  const throttle = new LoginThrottle(now);
  const metrics = new ConsoleMetrics(o.districts, o.queue, now);
  const actions: (AuditEntry & { at: string })[] = [];
  const audit = (e: AuditEntry) => {
    actions.unshift({ ...e, at: now().toISOString() });
    actions.length = Math.min(actions.length, AUDIT_KEPT);
    o.audit?.(e);
  };
  const app = new Hono();

  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'unsafe-inline'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(bodyLimit({ maxSize: 16 * 1024 }));

  const viewer = (c: Context): Viewer => {
    const s = sessions.get(getCookie(c, COOKIE));
    return { canLogin: !!adminToken(o.secrets), ...(s ? { by: s.by, csrf: s.csrf } : {}) };
  };
  const page = (c: Context, title: string, body: Html, code: 200 | 401 | 403 | 404 | 409 | 429 = 200) => {
    c.header('Cache-Control', 'no-store');
    return c.html(layout(title, viewer(c), body), code);
  };
  const notFound = (c: Context, what: string) => page(c, 'Not found', messagePage(what), 404);

  /** The admin behind a POST, or the reason it is refused: a session with its CSRF token, or the bearer token. */
  const admin = async (c: Context): Promise<Admin | undefined> => {
    const token = adminToken(o.secrets);
    if (!token) return undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const from = remote(c);
      if (throttle.wait(from) > 0 || !sameSecret(bearer, token)) {
        throttle.failed(from);
        return undefined;
      }
      throttle.succeeded(from);
      return { by: cleanName(c.req.header('X-Sisflow-By')) ?? 'admin token' };
    }
    const s = sessions.get(getCookie(c, COOKIE));
    if (!s) return undefined;
    const body = await c.req.parseBody();
    return typeof body.csrf === 'string' && sameSecret(body.csrf, s.csrf) ? { by: s.by } : undefined;
  };
  const forbidden = (c: Context) => page(c, 'Refused', messagePage('Refused: this action needs an admin session (sign in) and the form of this console.'), 403);

  app.get('/healthz', (c) => c.text('ok\n'));
  app.get('/readyz', async (c) => {
    try {
      await Promise.all(o.districts.map((d) => d.store.list({ limit: 1 })));
      return c.text('ready\n');
    } catch {
      return c.text('the run history does not answer\n', 503);
    }
  });
  app.get('/metrics', async (c) => {
    const text = await metrics.render();
    return c.body(text, 200, { 'Content-Type': metrics.contentType });
  });

  app.get('/', async (c) => {
    const views = await Promise.all(o.districts.map((d, i) => districtView(d, districtSlug(i))));
    return page(c, o.districts.length === 1 ? o.districts[0]!.name : 'Districts', overviewPage(views, new Date(now().getTime() - DAY_MS).toISOString()));
  });
  app.get('/d/:d', async (c) => {
    const d = districtOf(o.districts, c.req.param('d'));
    if (!d) return notFound(c, 'No such district.');
    const view = await districtView(d, c.req.param('d'));
    return page(c, d.name, districtSection(view, new Date(now().getTime() - DAY_MS).toISOString(), false));
  });
  app.get('/d/:d/specs/:spec', async (c) => {
    const d = districtOf(o.districts, c.req.param('d'));
    if (!d) return notFound(c, 'No such district.');
    const view = await districtView(d, c.req.param('d'));
    const i = view.integrations.find((x) => x.spec === c.req.param('spec'));
    if (!i) return notFound(c, 'No such spec in this district.');
    return page(c, i.spec, integrationPage(view.slug, d.name, i, viewer(c)));
  });
  app.get('/d/:d/runs/:id', async (c) => {
    const d = districtOf(o.districts, c.req.param('d'));
    const run = d && (await d.store.get(c.req.param('id')));
    if (!run) return notFound(c, 'No such run.');
    return page(c, `${run.spec}: run ${run.id}`, runPage(c.req.param('d'), run, viewer(c), NOTICES[c.req.query('done') ?? '']));
  });
  app.get('/held', async (c) => {
    const held = await allRuns(o, 'held');
    return page(c, 'Held runs', heldPage(held));
  });
  app.get('/audit', async (c) => {
    const decided = [...(await allRuns(o, 'approved')), ...(await allRuns(o, 'discarded'))].sort((a, b) => b.run.decision!.at.localeCompare(a.run.decision!.at));
    return page(c, 'Audit', auditPage(decided, actions));
  });

  app.get('/login', (c) => page(c, 'Sign in', loginPage(!!adminToken(o.secrets), safeNext(c.req.query('next')))));
  app.post('/login', async (c) => {
    const token = adminToken(o.secrets);
    const body = await c.req.parseBody();
    const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
    const by = cleanName(typeof body.by === 'string' ? body.by : undefined);
    if (!token) return page(c, 'Sign in', loginPage(false, next), 403);
    const from = remote(c);
    const wait = throttle.wait(from);
    if (wait > 0) {
      audit({ action: 'login-refused', by: by ?? '(no name)', outcome: `too many wrong tokens from ${from}` });
      c.header('Retry-After', String(wait));
      return page(c, 'Sign in', loginPage(true, next, `Too many wrong tokens from this address: try again in ${Math.ceil(wait / 60)} minute(s).`), 429);
    }
    if (!by || typeof body.token !== 'string' || !sameSecret(body.token, token)) {
      if (by) throttle.failed(from);
      audit({ action: 'login-refused', by: by ?? '(no name)', outcome: by ? 'wrong token' : 'no name given' });
      return page(c, 'Sign in', loginPage(true, next, by ? 'That is not the admin token.' : 'Give your name: it is recorded with what you do.'), 401);
    }
    throttle.succeeded(from);
    const s = sessions.open(by);
    if (!s) return page(c, 'Sign in', loginPage(false, next), 403); // the token was removed meanwhile
    setCookie(c, COOKIE, s.cookie, { httpOnly: true, sameSite: 'Strict', path: '/', secure: !!o.secureCookies, maxAge: SESSION_LIFETIME_MS / 1000 });
    audit({ action: 'login', by, outcome: 'signed in' });
    return c.redirect(next, 303);
  });
  app.post('/logout', async (c) => {
    const s = sessions.get(getCookie(c, COOKIE));
    const body = await c.req.parseBody();
    if (!s || typeof body.csrf !== 'string' || !sameSecret(body.csrf, s.csrf)) return forbidden(c);
    sessions.close(s);
    deleteCookie(c, COOKIE, { path: '/' });
    return c.redirect('/', 303);
  });

  for (const kind of ['approve', 'discard'] as const) {
    app.post(`/d/:d/runs/:id/${kind}`, async (c) => {
      const who = await admin(c);
      if (!who) return forbidden(c);
      const d = districtOf(o.districts, c.req.param('d'));
      if (!d) return notFound(c, 'No such district.');
      const id = c.req.param('id');
      const options = { store: d.store, registry: o.registry, by: who.by, secrets: d.secrets ?? o.secrets, now };
      const r = kind === 'approve' ? await approveRun(id, options) : await discardRun(id, options);
      const spec = r.ok ? r.record.spec : (await d.store.get(id))?.spec;
      audit({ action: kind, by: who.by, district: d.name, ...(spec ? { spec } : {}), run: id, outcome: r.ok ? (kind === 'approve' ? `published by run ${r.record.id}` : 'discarded') : `refused: ${r.why}` });
      if (!r.ok) return page(c, `${kind === 'approve' ? 'Approve' : 'Discard'} refused`, messagePage(`${kind === 'approve' ? 'Approve' : 'Discard'} refused: ${r.why}`), 409);
      return c.redirect(`/d/${c.req.param('d')}/runs/${encodeURIComponent(id)}?done=${kind === 'approve' ? 'approved' : 'discarded'}`, 303);
    });
  }
  app.post('/d/:d/specs/:spec/run', async (c) => {
    const who = await admin(c);
    if (!who) return forbidden(c);
    const d = districtOf(o.districts, c.req.param('d'));
    if (!d) return notFound(c, 'No such district.');
    const spec = c.req.param('spec');
    const why = d.schedule?.runNow ? await d.schedule.runNow(spec, who.by) : 'this console runs without a scheduler';
    audit({ action: 'run-now', by: who.by, district: d.name, spec, outcome: why ? `refused: ${why}` : 'started' });
    if (why) return page(c, 'Run refused', messagePage(`Run refused: ${why}`), 409);
    return c.redirect(`/d/${c.req.param('d')}/specs/${encodeURIComponent(spec)}?done=started`, 303);
  });

  app.notFound((c) => notFound(c, 'No such page.'));
  app.onError((e, c) => {
    // A bug or a store that does not answer: said plainly, without a stack trace.
    o.onError?.(e);
    return c.html(layout('Error', { canLogin: false }, messagePage('The console could not answer this page; the service log says why.')), 500);
  });
  return { app, metrics };
}

async function allRuns(o: ConsoleOptions, status: 'held' | 'approved' | 'discarded'): Promise<{ slug: string; district: string; run: RunRecord }[]> {
  const per = await Promise.all(o.districts.map(async (d, i) => (await d.store.list({ status, limit: 500 })).map((run) => ({ slug: districtSlug(i), district: d.name, run }))));
  return per.flat();
}

/** The client's address (for the sign-in throttle); one bucket when the app runs outside Node's server. */
function remote(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A name for the audit: one line, printable, at most 64 characters. */
function cleanName(v: string | undefined): string | undefined {
  const name = v?.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 64);
  return name ? name : undefined;
}

/** Where to go after signing in: a path of this console only (no open redirect). */
function safeNext(v: string | undefined): string {
  return v && /^\/(?![/\\])[^\s]*$/.test(v) ? v : '/';
}
