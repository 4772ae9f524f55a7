// OneRoster delta bundles from full snapshots. The spec writes every file whole, as for a bulk
// bundle; the sink compares each file with the snapshot of the last published run, and writes
// only what changed: new and changed records with status `active`, records gone since with status
// `tobedeleted` (their last known values kept), all stamped with the run's start as
// dateLastModified. The snapshot is saved only after the bundle is published; if saving fails,
// the next run sends the same changes again — a change is never lost.
import { createHash } from 'node:crypto';
import { csvWriteOptions } from '../csv/csv-settings.js';
import { csvFormatter } from '../csv/csv-writer.js';
import { forEachRecord } from './check.js';
import { BUNDLE_CSV, FILE_BY_NAME } from './standard.js';

export interface DeltaCounts {
  active: number;
  tobedeleted: number;
}

/** One file of a delta bundle from this run's full file and the last snapshot's (undefined on a first run). */
export function deltaFile(name: string, current: Uint8Array, previous: Uint8Array | undefined, stamp: string): { bytes: Buffer; counts: DeltaCounts } {
  const spec = FILE_BY_NAME.get(name)!;
  const format = csvFormatter(spec.columns.map((c) => ({ name: c.name, type: { kind: 'string', nullable: false } })), csvWriteOptions(BUNDLE_CSV));
  const names = spec.columns.map((c) => c.name);
  // The last snapshot: sourcedId → digest of the record's data (status and dateLastModified aside).
  const before = new Map<string, string>();
  if (previous) eachRecord(previous, (values) => before.set(values[0]!, digest(values)));
  let out = format.start();
  const counts: DeltaCounts = { active: 0, tobedeleted: 0 };
  const write = (values: string[], status: string) => {
    const row: Record<string, string> = {};
    names.forEach((n, i) => (row[n] = values[i] ?? ''));
    row.status = status;
    row.dateLastModified = stamp;
    out += format.rows([row]);
  };
  eachRecord(current, (values) => {
    const id = values[0]!;
    const was = before.get(id);
    before.delete(id);
    if (was === digest(values)) return;
    write(values, 'active');
    counts.active++;
  });
  // What is left in `before` is gone: written with its last known values.
  if (previous && before.size > 0) {
    eachRecord(previous, (values) => {
      if (!before.has(values[0]!)) return;
      write(values, 'tobedeleted');
      counts.tobedeleted++;
    });
  }
  return { bytes: Buffer.from(out, 'utf8'), counts };
}

function digest(values: string[]): string {
  const h = createHash('sha256');
  for (let i = 0; i < values.length; i++) if (i !== 1 && i !== 2) h.update(values[i]!).update('\0');
  return h.digest('base64');
}

/** Each record after the header (the files are sisflow's own, already checked). */
function eachRecord(bytes: Uint8Array, record: (values: string[]) => void): void {
  let header = true;
  forEachRecord(Buffer.from(bytes).toString('utf8'), (_line, values) => {
    if (header) header = false;
    else record(values);
  });
}
