// `sisflow worker --queue URL PROJECT…|--projects-dir DIR` and `sisflow serve --queue URL PROJECT…`:
// the two processes of a fleet (packages/fleet). The worker runs queued jobs until SIGTERM; serve
// --queue keeps the queue's schedules those of the projects given (and `--run-now SPEC` queues one
// run ahead of scheduled work).
import { watch } from 'node:fs';
import { defaultRegistry } from '@sisflow/connectors';
import { diagnostic, type Diagnostic } from '@sisflow/core';
import { FleetError, FleetScheduler, FleetWorker, loadFleetProjects, projectFolders, projectsSignature, queueConnection } from '@sisflow/fleet';
import { HistoryError, serviceLogger } from '@sisflow/service';
import { environmentSecrets, EXIT, printDiagnostics, printFailure, type Out } from '../io.js';

/** How often `serve --queue` looks at its project folders' files for a change its watch missed. */
const RESCAN_MS = 5_000;

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
  const settings = workerSettings(flags);
  if ('problem' in settings) {
    printFailure(out, flags, { diagnostics: [settings.problem] });
    return EXIT.usage;
  }
  return fleetCommand(out, async () => {
    const registry = defaultRegistry();
    const connection = queueConnection(flags.queue, environmentSecrets());
    const log = serviceLogger({ write: (line) => out.stdout(line) }, !!process.stdout.isTTY && !flags.json);
    // One district that cannot be served (an invalid project file) does not stop the others' runs.
    const onProblem = (e: FleetError) => log.error({ code: e.code }, `${e.message}; its jobs are dropped until it is mended`);
    const load = () => loadFleetProjects({ folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}), ...(flags.history ? { history: flags.history } : {}), registry, onProblem });
    const first = load();
    if (first.size === 0) throw new FleetError('SF520', 'no district project to serve: give project folders or --projects-dir DIR', 'a worker runs the jobs of the districts whose folders it has; the jobs of the others it leaves to other workers');
    let projectsRead = 0;
    const w = new FleetWorker({
      connection,
      registry,
      // The first reading, then a fresh one whenever a job names a district the worker does not know.
      projects: () => (projectsRead++ === 0 ? first : load()),
      ...(flags.history ? { history: flags.history } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...settings,
      log,
    });
    await w.ready();
    w.start();
    log.info({ pid: process.pid, concurrency: settings.concurrency, districts: first.size, cpuSeconds: cpuSeconds() }, 'sisflow worker started');
    await aborted(signal);
    log.info({}, 'stopping: no new jobs; running runs are cancelled and their jobs go back to the queue');
    await w.stop();
    // The process's CPU time, for sizing (docs/fleet.md: CPU-seconds per run).
    log.info({ cpuSeconds: cpuSeconds() }, 'sisflow worker stopped');
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
      // Reconciling with nothing named would remove every schedule of the fleet (an empty --projects-dir is a fleet of none, yet).
      if (folders.length === 0 && !flags.projectsDir) throw new FleetError('SF520', 'no district project to serve: give project folders or --projects-dir DIR', '`sisflow serve --queue URL --projects-dir /srv/districts`');
      let projects = load();
      if (flags.runNow) {
        const district = flags.district ?? (projects.size === 1 ? [...projects.keys()][0]! : undefined);
        if (!district) throw new FleetError('SF704', `--run-now with several projects needs --district NAME`, `the districts given: ${[...projects.keys()].join(', ')}`);
        const run = await scheduler.runNow(projects, district, flags.runNow);
        out.stdout(`queued ${flags.runNow} of ${district} ahead of scheduled work (run key ${run})`);
        return EXIT.ok;
      }
      const r = await scheduler.reconcile(projects);
      const where = { folders, ...(flags.projectsDir ? { projectsDir: flags.projectsDir } : {}) };
      let seen = projectsSignature(where, projects);
      // An edited, added or removed project or spec is reconciled; a burst of writes once.
      let pending: NodeJS.Timeout | undefined;
      const again = () => {
        clearTimeout(pending);
        pending = setTimeout(() => {
          try {
            projects = load();
            seen = projectsSignature(where, projects);
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
      const watchers = [...new Set([...projectFolders(where), ...(flags.projectsDir ? [flags.projectsDir] : [])])].map((d) =>
        watch(d, { recursive: true }, (_e, name) => {
          if (!name || !/(^|[\\/])\./.test(String(name))) again();
        }).on('error', () => again()), // a watched project folder removed: its removal is reconciled
      );
      // The watch is the quick path; a rescan of the folders' files catches what it misses.
      const rescan = setInterval(() => {
        if (projectsSignature(where, projects) !== seen) again();
      }, RESCAN_MS);
      log.info({ pid: process.pid, districts: projects.size, scheduled: r.scheduled.length, removed: r.removed.length }, 'sisflow serve --queue started: the schedules are in the queue');
      await aborted(signal);
      clearTimeout(pending);
      clearInterval(rescan);
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

/** The worker's numeric flags, or the usage problem (SF706) of the first bad one. */
function workerSettings(flags: WorkerFlags): { concurrency: number; districtConcurrency: number; lockMs: number } | { problem: Diagnostic } {
  const numbers: [string, string | undefined, number][] = [
    ['--concurrency', flags.concurrency, 1],
    ['--district-concurrency', flags.districtConcurrency, 2],
    ['--lock-seconds', flags.lockSeconds, 30],
  ];
  const [concurrency, districtConcurrency, lockSeconds] = numbers.map(([, value, fallback]) => (value === undefined ? fallback : Number(value)));
  const bad = numbers.find(([, value]) => value !== undefined && !(Number.isInteger(Number(value)) && Number(value) >= 1));
  if (bad) return { problem: diagnostic('SF706', `${bad[0]} needs a whole number of at least 1, not "${bad[1]}"`, { hint: `e.g. \`${bad[0]} ${bad[2]}\`` }) };
  return { concurrency: concurrency!, districtConcurrency: districtConcurrency!, lockMs: lockSeconds! * 1000 };
}

function cpuSeconds(): number {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (!signal || signal.aborted) return done();
    signal.addEventListener('abort', () => done(), { once: true });
  });
}
