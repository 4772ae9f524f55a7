// Publishing a run's staged outputs so that a kill at any instant leaves either every previous
// output or every new one. Outputs whose commit is one step that cannot be resumed (a database
// transaction, a bundle published as a whole) commit first, one after another; then every staged
// file is listed in the publish journal, durably, before the first rename, and the journal is
// removed after the last. A run killed in between is finished by the next run of the spec
// (roll-forward): once the journal is complete every staged file is on disk and the run had
// decided to publish, so finishing is both possible and what the run meant; rolling back would
// need a copy of every previous file.
import type { StagedWrite } from '../connector/connector.js';
import { isConnectionFailure } from './connection-failure.js';
import type { JournalEntry, PublishJournal } from './publish-journal.js';

export interface StagedOutput {
  name: string;
  use: string;
  /** The plan connection it writes to: how a later run reaches its staged files again. */
  connection: string;
  staged: StagedWrite;
}

/** Why publishing stopped; says which outputs were published and which the next run finishes. */
export class PublishFailure extends Error {}

/**
 * Commits `outputs`, then the rejects with them (a dry run aborts them all). The rejects are
 * staged only after the one-step commits, which may refuse records (an API's answers). When an
 * output fails before any file was renamed, the outputs not yet published are dropped, but the
 * rejects are still published: they say why the run failed. When one fails after a rename, the
 * journal stays and the next run finishes the rest.
 */
export async function publishOutputs(
  outputs: StagedOutput[],
  stageRejects: () => Promise<StagedOutput | undefined>,
  journal: PublishJournal,
  run: { spec: string; startedAt: string; dryRun: boolean; onCommitted(o: StagedOutput): void; connectionLabel(connection: string): string },
): Promise<void> {
  if (run.dryRun) {
    const rejects = await stageRejects();
    const all = rejects ? [...outputs, rejects] : outputs;
    await Promise.all(all.map((o) => o.staged.abort()));
    all.forEach(run.onCommitted);
    return;
  }
  const published: string[] = [];
  const notPublished = (o: StagedOutput, e: unknown) => `${publishFailureText(o, e, run.connectionLabel)}${already(published)}`;
  let rejects: StagedOutput | undefined;
  const dropRest = async (from: StagedOutput[]) => {
    await Promise.all(from.filter((o) => o !== rejects).map((o) => o.staged.abort().catch(() => undefined)));
    // The rejects of a failed run are still published: they say why it failed.
    const r = rejects ?? (await stageRejects().catch(() => undefined));
    if (r && !published.includes(r.name)) await r.staged.commit().then(() => run.onCommitted(r), () => r.staged.abort());
  };
  const oneStep = outputs.filter((o) => !o.staged.moves);
  const renamed = outputs.filter((o) => o.staged.moves);
  for (const [i, o] of oneStep.entries()) {
    try {
      if ((await o.staged.commit()) !== 'deferred') published.push(o.name);
      run.onCommitted(o);
    } catch (e) {
      await dropRest([...oneStep.slice(i + 1), ...renamed]);
      throw new PublishFailure(notPublished(o, e));
    }
  }
  try {
    rejects = await stageRejects();
  } catch (e) {
    await dropRest(renamed);
    throw e;
  }
  if (rejects) renamed.push(rejects);
  if (renamed.length === 0) return;
  const entries: JournalEntry[] = renamed.filter((o) => o.staged.moves).map((o) => ({ output: o.name, use: o.use, connection: o.connection, moves: o.staged.moves! }));
  testPause('publish:staged');
  if (entries.length > 0) {
    try {
      await journal.write(entries, run.spec, run.startedAt);
    } catch (e) {
      await dropRest(renamed);
      throw new PublishFailure(`the publish journal ${journal.path} could not be written, so nothing more was published: ${errorText(e)}${already(published)}`);
    }
  }
  testPause('publish:journaled');
  for (const [i, o] of renamed.entries()) {
    try {
      await o.staged.commit();
      published.push(o.name);
      run.onCommitted(o);
    } catch (e) {
      if (i === 0) {
        // Nothing was renamed yet: undo, as for a one-step output (the journal goes first, so a
        // kill in between never leaves a journal naming removed files).
        await journal.clear();
        await dropRest(renamed);
        throw new PublishFailure(notPublished(o, e));
      }
      // Some files are already renamed: the journal keeps the staged files of the rest, and the
      // next run of the spec publishes them (roll-forward).
      const pending = renamed.slice(i).map((p) => p.name);
      throw new PublishFailure(`${notPublished(o, e)}; the next run of this spec first publishes ${pending.join(', ')} (listed in ${journal.path})`);
    }
    testPause(`publish:renamed:${i + 1}`);
  }
  if (entries.length > 0) await journal.clear();
}

/**
 * Why an output could not be published, naming the connection it was published to; when the
 * connection itself failed (its connector marked the error), the connection and all that uses it.
 */
export function publishFailureText(o: Pick<StagedOutput, 'name' | 'connection'>, e: unknown, connectionLabel: (connection: string) => string): string {
  return isConnectionFailure(e)
    ? `${connectionLabel(o.connection)}: output ${o.name} could not be published: ${errorText(e)}`
    : `output ${o.name} could not be published to connection ${o.connection}: ${errorText(e)}`;
}

function already(published: string[]): string {
  return published.length > 0 ? ` (already published: ${published.join(', ')})` : '';
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message || e.name : String(e);
}

/**
 * For the kill tests: with SISFLOW_TEST_PAUSE set to this point's name the process says so on
 * stderr and stops itself (SIGSTOP), so a test can kill it exactly there, not after a guessed delay.
 */
export function testPause(point: string): void {
  if (process.env.SISFLOW_TEST_PAUSE !== point) return;
  process.stderr.write(`sisflow: paused at ${point} (SISFLOW_TEST_PAUSE)\n`);
  process.kill(process.pid, 'SIGSTOP');
}
