// `sisflow worker --queue URL PROJECT…|--projects-dir DIR` and `sisflow serve --queue URL PROJECT…`:
// the two processes of a fleet (packages/fleet). The worker runs queued jobs until SIGTERM; serve
// --queue keeps the queue's schedules those of the projects given (and `--run-now SPEC` queues one
// run ahead of scheduled work).
import { watch } from 'node:fs';
import { defaultRegistry } from '@sisflow/connectors';
import { diagnostic } from '@sisflow/core';
import { FleetError, FleetScheduler, FleetWorker, loadFleetProjects, projectFolders, queueConnection } from '@sisflow/fleet';
import { HistoryError, serviceLogger } from '@sisflow/service';
import { environmentSecrets, EXIT, printDiagnostics, type Out } from '../io.js';

export interface FleetFlags {
  queue: string;
  history?: string;
  projectsDir?: string;
  profile?: string;
  /** Log JSON lines also on a terminal. */
  json?: boolean;
}

export interface WorkerFlags extends FleetFlags {
  concurrency?: string;
  districtConcurrency?: string;
  lockSeconds?: string;
}

export async function worker(folders: string[], flags: WorkerFlags, out: Out, signal?: AbortSignal): Promise<number> {
  return fleetCommand(out, async () => {
    const registry = defaultRegistry();
    const connection = queueConnection(flags.queue, environmentSecrets());
    const log = serviceLogger({ write: (line) => out.stdout(line) }, !!process.stdout.isTTY && !flags.json);
    // One district that cannot be served (an invalid project file) does not stop the others' runs.
    const onProblem = (e: FleetError) => log.error({ code: e.code }, `${e.message}; its jobs are dropped until it is mended`);
    const load = () => loadFleetProjects({ folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}), ...(flags.history ? { history: flags.history } : {}), registry, onProblem });
    // A worker that serves no district would drop every job it took as "district removed".
    if (load().size === 0) throw new FleetError('SF520', 'no district project to serve: give project folders or --projects-dir DIR', 'every worker of a fleet serves every district: the same folders as `sisflow serve --queue`');
    const w = new FleetWorker({
      connection,
      registry,
      projects: load,
      ...(flags.history ? { history: flags.history } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      concurrency: positive(flags.concurrency, 1, '--concurrency'),
      districtConcurrency: positive(flags.districtConcurrency, 2, '--district-concurrency'),
      lockMs: positive(flags.lockSeconds, 30, '--lock-seconds') * 1000,
      log,
    });
    await w.ready();
    w.start();
    log.info({ pid: process.pid, concurrency: positive(flags.concurrency, 1, '--concurrency'), districts: load().size }, 'sisflow worker started');
    await aborted(signal);
    log.info({}, 'stopping: no new jobs; running runs are cancelled and their jobs go back to the queue');
    await w.stop();
    log.info({}, 'sisflow worker stopped');
    return EXIT.ok;
  });
}

export async function serveQueue(folders: string[], flags: FleetFlags & { runNow?: string; district?: string }, out: Out, signal?: AbortSignal): Promise<number> {
  return fleetCommand(out, async () => {
    const registry = defaultRegistry();
    const connection = queueConnection(flags.queue, environmentSecrets());
    const load = () => loadFleetProjects({ folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}), ...(flags.history ? { history: flags.history } : {}), registry });
    const log = serviceLogger({ write: (line) => out.stdout(line) }, !!process.stdout.isTTY && !flags.json);
    const scheduler = new FleetScheduler({ connection, registry, log, ...(flags.profile ? { profile: flags.profile } : {}) });
    try {
      let projects = load();
      if (flags.runNow) {
        const district = flags.district ?? (projects.size === 1 ? [...projects.keys()][0]! : undefined);
        if (!district) throw new FleetError('SF704', `--run-now with several projects needs --district NAME`, `the districts given: ${[...projects.keys()].join(', ')}`);
        const run = await scheduler.runNow(projects, district, flags.runNow);
        out.stdout(`queued ${flags.runNow} of ${district} ahead of scheduled work (run key ${run})`);
        return EXIT.ok;
      }
      const r = await scheduler.reconcile(projects);
      log.info({ pid: process.pid, districts: projects.size, scheduled: r.scheduled.length, removed: r.removed.length }, 'sisflow serve --queue started: the schedules are in the queue');
      // An edited, added or removed project or spec is reconciled; a burst of writes once.
      let pending: NodeJS.Timeout | undefined;
      const again = () => {
        clearTimeout(pending);
        pending = setTimeout(() => {
          try {
            projects = load();
          } catch (e) {
            log.error({}, `the projects cannot be read; the schedules are kept as they were: ${(e as Error).message}`);
            return;
          }
          scheduler.reconcile(projects).then(
            (x) => log.info({ scheduled: x.scheduled.length, removed: x.removed.length }, 'schedules reconciled'),
            (e: unknown) => log.error({}, `reconciling failed: ${(e as Error).message}`),
          );
        }, 300);
      };
      const watchers = [...new Set([...projectFolders({ folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}) }), ...(flags.projectsDir ? [flags.projectsDir] : [])])].map((d) =>
        watch(d, { recursive: true }, (_e, name) => {
          if (!name || !/(^|[\\/])\./.test(String(name))) again();
        }),
      );
      await aborted(signal);
      clearTimeout(pending);
      for (const w of watchers) w.close();
      log.info({}, 'sisflow serve --queue stopped; the schedules stay in the queue and the workers keep running them');
      return EXIT.ok;
    } finally {
      await scheduler.close();
    }
  });
}

/** Runs a fleet command; a FleetError or HistoryError is printed as its diagnostic. */
async function fleetCommand(out: Out, f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof FleetError) && !(e instanceof HistoryError)) throw e;
    printDiagnostics(out, [diagnostic(e.code, e.message, e.hint ? { hint: e.hint } : {})], 'sisflow', undefined);
    return EXIT.failed;
  }
}

function positive(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new FleetError('SF703', `${flag} needs a whole number of at least 1, not "${value}"`);
  return n;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (!signal || signal.aborted) return done();
    signal.addEventListener('abort', () => done(), { once: true });
  });
}
