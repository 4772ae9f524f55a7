// The console over a seeded district, served on a loopback port by the real server, with a real
// scheduler (on a clock that does not move) for schedules and "run now".
import { defaultRegistry, environmentSecrets } from '@sisflow/connectors';
import { ManualClock, openProject, projectAlerts, Scheduler, type SchedulerEvent } from '@sisflow/service';
import { startConsole, type AuditEntry, type QueueDepthSource, type RunningConsole } from '@sisflow/console';
import { seededDistrict, type Seeded } from './seeded-district.js';

export interface ServedConsole extends Seeded {
  console: RunningConsole;
  scheduler: Scheduler;
  audit: AuditEntry[];
  /** Resolves on the scheduler's next event of this type. */
  next(type: SchedulerEvent['type']): Promise<SchedulerEvent>;
  stop(): Promise<void>;
}

export async function servedConsole(o: { seeded?: Seeded; queue?: QueueDepthSource } = {}): Promise<ServedConsole> {
  const s = o.seeded ?? (await seededDistrict());
  const registry = defaultRegistry();
  const secrets = environmentSecrets(s.env);
  const waiters: { type: string; resolve: (e: SchedulerEvent) => void }[] = [];
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const scheduler = new Scheduler({
    folder: s.dir,
    registry,
    store: s.store,
    secrets,
    clock: new ManualClock(new Date()),
    log: quiet,
    alerts: projectAlerts(openProject(s.dir, registry).project, registry, secrets, () => undefined),
    onEvent: (e) => {
      for (const w of waiters.filter((x) => x.type === e.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    },
  });
  const problem = await scheduler.start();
  if (problem) throw new Error(problem);
  const audit: AuditEntry[] = [];
  const running = await startConsole({
    districts: [{ name: openProject(s.dir, registry).project!.config.district.name, dir: s.dir, store: s.store, schedule: scheduler }],
    registry,
    secrets,
    address: { host: '127.0.0.1', port: 0 },
    audit: (e) => void audit.push(e),
    ...(o.queue ? { queue: o.queue } : {}),
  });
  return {
    ...s,
    console: running,
    scheduler,
    audit,
    next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
    stop: async () => {
      await running.close();
      await scheduler.stop();
      await s.store.close();
    },
  };
}

/** Signs in through the login form; the session cookie and the CSRF token of its forms. */
export async function signIn(base: string, token: string, by = 'Dana Reyes'): Promise<{ cookie: string; csrf: (path: string) => Promise<string> }> {
  const r = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ by, token, next: '/' }), redirect: 'manual' });
  if (r.status !== 303) throw new Error(`sign-in answered ${r.status}`);
  const cookie = r.headers.getSetCookie()[0]!.split(';')[0]!;
  return {
    cookie,
    csrf: async (path) => /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${base}${path}`, { headers: { cookie } })).text())![1]!,
  };
}
