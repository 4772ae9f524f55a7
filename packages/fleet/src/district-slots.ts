// The per-district concurrency limit across the whole fleet: a district has `limit` slots, each a
// PostgreSQL session advisory lock in the district's history database. A run holds one on a
// connection of its own for as long as it runs; a worker killed mid-run loses its connections and
// with them the slots, so no count leaks. The connections are kept in a small pool per database and
// the lock let go on release: a new connection per run (a backend started, a SCRAM login) cost more
// than the run's own PostgreSQL work in the fleet bench.
import pg from 'pg';

export interface Slot {
  release(): Promise<void>;
}

export class DistrictSlots {
  private readonly pools = new Map<string, pg.Pool>();

  /** @param connections the most connections kept open per database (the worker's concurrency and one to try with). */
  constructor(private readonly connections: number) {}

  /** One of the district's slots, or undefined when all `limit` are held (anywhere in the fleet). */
  async take(url: string, district: string, limit: number): Promise<Slot | undefined> {
    const c = await this.pool(url).connect();
    try {
      for (let i = 0; i < limit; i++) {
        const key = `${district}#${i}`;
        const r = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('sisflow-district-slot'), hashtext($1)) AS ok`, [key]);
        if (r.rows[0]!.ok) {
          return {
            release: async () => {
              try {
                await c.query(`SELECT pg_advisory_unlock(hashtext('sisflow-district-slot'), hashtext($1))`, [key]);
                c.release();
              } catch (e) {
                // A connection whose unlock failed is closed, which lets the lock go.
                c.release(e instanceof Error ? e : new Error(String(e)));
              }
            },
          };
        }
      }
    } catch (e) {
      c.release(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    c.release();
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    this.pools.clear();
  }

  private pool(url: string): pg.Pool {
    let p = this.pools.get(url);
    if (!p) {
      p = new pg.Pool({ connectionString: url, max: this.connections });
      // An idle connection dropped by the server is replaced on the next take; it must not end the process.
      p.on('error', () => undefined);
      this.pools.set(url, p);
    }
    return p;
  }
}
