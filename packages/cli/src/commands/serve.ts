// `sisflow serve [PROJECT]`: keeps a project's specs running on their schedules until SIGTERM or
// Ctrl-C, then takes no new runs, cancels the running ones cleanly and exits 0.
import { watch } from 'node:fs';
import { resolve } from 'node:path';
import { defaultRegistry } from '@sisflow/connectors';
import { openProject, projectAlerts, Scheduler, serviceLogger, systemClock } from '@sisflow/service';
import { httpSettings, startConsole, type HttpFlags } from '@sisflow/console';
import { environmentSecrets, EXIT, printDiagnostics, type Out } from '../io.js';
import { commandStore } from './history.js';
import { serveQueue, type FleetFlags } from './worker.js';

const DAY_MS = 86_400_000;

export async function serve(folders: string[], flags: { profile?: string; json?: boolean } & HttpFlags & Partial<FleetFlags> & { runNow?: string; district?: string }, out: Out, signal?: AbortSignal): Promise<number> {
  const http = httpSettings(flags);
  if (http && 'error' in http) {
    out.stderr(`error: ${http.error}`);
    return EXIT.usage;
  }
  if (flags.queue) {
    if (http) {
      out.stderr('error: --http is not served in fleet mode yet: run `sisflow serve --http` on a project folder with `history: url:` pointing at the fleet\'s PostgreSQL (docs/console.md)');
      return EXIT.usage;
    }
    return serveQueue(folders, { ...flags, queue: flags.queue }, out, signal);
  }
  if (folders.length > 1 || flags.projectsDir || flags.runNow) {
    out.stderr('several projects, --projects-dir and --run-now are for fleet mode: give --queue redis://… (docs/fleet.md)');
    return EXIT.failed;
  }
  const dir = resolve(folders[0] ?? '.');
  const registry = defaultRegistry();
  const opened = openProject(dir, registry);
  if (!opened.project) {
    printDiagnostics(out, opened.diagnostics, opened.source?.file ?? dir, opened.source);
    return EXIT.failed;
  }
  const log = serviceLogger({ write: (line) => out.stdout(line) }, !!process.stdout.isTTY && !flags.json);
  const secrets = environmentSecrets();
  const store = commandStore(dir, flags.history, out, opened.project, true);
  if (!store) return EXIT.failed;
  const alerts = projectAlerts(opened.project, registry, secrets, (line) => log.info({}, line));
  const scheduler = new Scheduler({ folder: dir, registry, store, secrets, clock: systemClock, log, alerts, ...(flags.profile ? { profile: flags.profile } : {}) });
  const retention = (opened.project.config.history?.retention_days ?? 90) * DAY_MS;
  const prune = () =>
    void store.prune(new Date(Date.now() - retention).toISOString()).then((n) => n > 0 && log.info({ runs: n }, 'old runs removed from the history'));
  // The console listens first: a port already taken stops the service before any run starts.
  const web = http && (await startConsole({ districts: [{ name: opened.project.config.district.name, dir, store, schedule: scheduler }], registry, secrets, ...http, audit: (e) => log.info({ ...e }, `console: ${e.action} by ${e.by}`), onError: (e) => log.error({}, `console: ${e.stack ?? e.message}`) }).catch((e: Error) => e));
  try {
    if (web instanceof Error) {
      out.stderr(`error: the console cannot listen on ${flags.http}: ${web.message}`);
      return EXIT.failed;
    }
    if (web) log.info({ url: web.url }, `status console at ${web.url}`);
    const problem = await scheduler.start();
    if (problem) {
      await web?.close();
      out.stderr(problem);
      return EXIT.failed;
    }
    log.info({ project: dir, district: opened.project.config.district.name, pid: process.pid }, 'sisflow serve started');
    for (const s of scheduler.describe()) log.info(s, s.schedule ? `scheduled ${s.spec}` : `${s.spec} has no schedule; it runs only by hand`);
    prune();
    const pruning = setInterval(prune, DAY_MS / 4);
    // An edited, added or removed spec is picked up; a burst of writes reloads once.
    let pending: NodeJS.Timeout | undefined;
    const watcher = watch(dir, { recursive: true }, (_e, name) => {
      if (name && /(^|[\\/])\./.test(String(name))) return; // .sisflow/history.db and editors' temporary files
      clearTimeout(pending);
      pending = setTimeout(() => scheduler.reload(), 300);
    });
    await new Promise<void>((done) => {
      if (!signal || signal.aborted) return done();
      signal.addEventListener('abort', () => done(), { once: true });
    });
    log.info({}, 'stopping: no new runs; running runs are cancelled and publish nothing');
    clearInterval(pruning);
    clearTimeout(pending);
    watcher.close();
    await web?.close();
    await scheduler.stop();
    log.info({}, 'sisflow serve stopped');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
