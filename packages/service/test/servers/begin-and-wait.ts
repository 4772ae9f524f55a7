// A process that records a run as running and then waits to be killed: `begin-and-wait.ts sqlite
// FILE SPEC` or `begin-and-wait.ts postgres URL TENANT SPEC`. Prints `began ID` once recorded.
import { PostgresHistory, SqliteHistory, type HistoryStore } from '@sisflow/service';

const [kind, where, a, b] = process.argv.slice(2) as [string, string, string, string | undefined];
const store: HistoryStore = kind === 'postgres' ? PostgresHistory.open(where, a) : SqliteHistory.open(where);
const spec = kind === 'postgres' ? b! : a;
const r = await store.begin({ spec, file: 'x.yaml', planHash: 'h', params: {}, trigger: 'manual', startedAt: new Date().toISOString() });
process.stdout.write(r.run ? `began ${r.run.id}\n` : `busy ${r.busy.id}\n`);
setInterval(() => undefined, 1 << 30);
