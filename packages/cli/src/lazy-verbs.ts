// The verbs the CLI loads only when they are called: `sisflow validate` must not load the console,
// the fleet, the run history, or SQL Server, SSH and mail code. Each wrapper has its verb's
// signature and returns its result as a promise.
type Verb<A extends unknown[], R> = (...args: A) => R;

/** A verb whose module is imported on its first call. */
function lazy<A extends unknown[], R>(load: () => Promise<Verb<A, R | Promise<R>>>): Verb<A, Promise<R>> {
  return async (...args) => await (await load())(...args);
}

export const demo = lazy(async () => (await import('./commands/demo.js')).demo);
export const plan = lazy(async () => (await import('./commands/plan.js')).plan);
export const run = lazy(async () => (await import('./commands/run.js')).run);
export const serve = lazy(async () => (await import('./commands/serve.js')).serve);
export const worker = lazy(async () => (await import('./commands/worker.js')).worker);
export const decide = lazy(async () => (await import('./commands/history.js')).decide);
export const history = lazy(async () => (await import('./commands/history.js')).history);
export const show = lazy(async () => (await import('./commands/history.js')).show);
export const schedule = lazy(async () => (await import('./commands/schedule.js')).schedule);
export const fingerprint = lazy(async () => (await import('./commands/sftp.js')).fingerprint);
export const grants = lazy(async () => (await import('./commands/grants.js')).grants);
export const accessCheck = lazy(async () => (await import('./commands/access.js')).accessCheck);
export const doctor = lazy(async () => (await import('./commands/doctor.js')).doctor);
export const init = lazy(async () => (await import('./commands/init.js')).init);
export const onerosterCheck = lazy(async () => (await import('./commands/oneroster.js')).onerosterCheck);
export const test = lazy(async () => (await import('./commands/test.js')).test);
export const transferApprove = lazy(async () => (await import('./commands/transfer.js')).transferApprove);
export const transferDeny = lazy(async () => (await import('./commands/transfer.js')).transferDeny);
export const transferImport = lazy(async () => (await import('./commands/transfer.js')).transferImport);
export const transferKeys = lazy(async () => (await import('./commands/transfer.js')).transferKeys);
export const transferList = lazy(async () => (await import('./commands/transfer.js')).transferList);
export const transferRequest = lazy(async () => (await import('./commands/transfer.js')).transferRequest);
export const transferServe = lazy(async () => (await import('./commands/transfer.js')).transferServe);
export const transferShow = lazy(async () => (await import('./commands/transfer.js')).transferShow);
export const transferSignRegistry = lazy(async () => (await import('./commands/transfer.js')).transferSignRegistry);
/** The JSON Schema of the spec language with every connector (`sisflow schema`). */
export const specSchema = lazy(async () => {
  const [{ specSchemaFor }, { defaultRegistry }] = await Promise.all([import('@sisflow/core'), import('@sisflow/connectors/registry')]);
  return () => specSchemaFor(defaultRegistry());
});
