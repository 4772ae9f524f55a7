// The per-district concurrency limit across the whole fleet: a district has `limit` slots, each a
// PostgreSQL session advisory lock in the district's history database. A run holds one on its own
// connection; a worker killed mid-run loses its connection and with it the slot, so no count leaks.
import pg from 'pg';

export interface Slot {
  release(): Promise<void>;
}

export async function takeDistrictSlot(url: string, district: string, limit: number): Promise<Slot | undefined> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    for (let i = 0; i < limit; i++) {
      const r = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('sisflow-district-slot'), hashtext($1)) AS ok`, [`${district}#${i}`]);
      if (r.rows[0]!.ok) return { release: () => c.end().catch(() => undefined) };
    }
  } catch (e) {
    await c.end().catch(() => undefined);
    throw e;
  }
  await c.end().catch(() => undefined);
  return undefined;
}
