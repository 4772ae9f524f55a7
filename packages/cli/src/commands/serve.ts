// `sisflow serve [PROJECT]`: keeps a project's specs running on their schedules until SIGTERM or
// Ctrl-C, then takes no new runs, cancels the running ones cleanly and exits 0.
import { watch } from 'node:fs';
import { resolve } from 'node:path';
import { defaultRegistry } from '@sisflow/connectors';
import { diagnostic } from '@sisflow/core';
import { FleetError, fleetConsoleSources, loadFleetProjects, queueConnection } from '@sisflow/fleet';
import { HistoryError, openProject, projectAlerts, Scheduler, serviceLogger, systemClock } from '@sisflow/service';
import { httpSettings, startConsole, type HttpFlags, type HttpSettings, type RunningConsole } from '@sisflow/console';
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
    // The console listens first: a port already taken stops the service before the schedules are touched.
    const web = http && !flags.runNow ? await fleetConsole(folders, { ...flags, queue: flags.queue }, http, out) : undefined;
    if (typeof web === 'number') return web;
    try {
      return await serveQueue(folders, { ...flags, queue: flags.queue }, out, signal);
    } finally {
      await web?.close();
    }
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

/**
 * The status console of a fleet (`serve --queue … --http`): every district project given, with its
 * history and secrets, its schedules from the queue's job schedulers ("run now" queues a run-now job),
 * and the queue's depth in /metrics. An exit code when it cannot start.
 */
async function fleetConsole(folders: string[], flags: FleetFlags & HttpFlags, http: HttpSettings, out: Out): Promise<RunningConsole | number> {
  const registry = defaultRegistry();
  const secrets = environmentSecrets();
  const log = serviceLogger({ write: (line) => out.stdout(line) }, !!process.stdout.isTTY && !flags.json);
  let sources;
  try {
    const projects = loadFleetProjects({ folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}), ...(flags.history ? { history: flags.history } : {}), registry });
    sources = fleetConsoleSources({ connection: queueConnection(flags.queue, secrets), registry, projects, log, ...(flags.history ? { history: flags.history } : {}) });
  } catch (e) {
    if (!(e instanceof FleetError) && !(e instanceof HistoryError)) throw e;
    printDiagnostics(out, [diagnostic(e.code, e.message, e.hint ? { hint: e.hint } : {})], 'sisflow', undefined);
    return EXIT.failed;
  }
  const web = await startConsole({ districts: sources.districts, queue: sources.queue, registry, secrets, ...http, audit: (e) => log.info({ ...e }, `console: ${e.action} by ${e.by}`), onError: (e) => log.error({}, `console: ${e.stack ?? e.message}`) }).catch((e: Error) => e);
  if (web instanceof Error) {
    await sources.close();
    out.stderr(`error: the console cannot listen on ${flags.http ?? ''}: ${web.message}`);
    return EXIT.failed;
  }
  log.info({ url: web.url, districts: sources.districts.length }, `status console at ${web.url}`);
  return {
    url: web.url,
    close: async () => {
      await web.close();
      await sources.close();
    },
  };
}
