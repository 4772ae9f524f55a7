// The connection pools of the PostgreSQL histories in this process: one per database address,
// shared by every district's store that uses it. A fleet's status console keeps a store open per
// district and asks them all at once for a page; a pool each (4 connections apiece) would open
// connections by the thousand for a large fleet, past the server's max_connections. The run locks
// are not pooled: each running run holds its own session (see postgres-history.ts).
import pg from 'pg';

/** Connections of one shared pool: what a page of many districts queues on. */
const POOL_SIZE = 8;

interface Shared {
  pool: pg.Pool;
  users: number;
}

const pools = new Map<string, Shared>();

/** A use of the pool of this address; release() ends the pool once no store uses it. */
export interface PoolLease {
  readonly pool: pg.Pool;
  release(): Promise<void>;
}

export function leasePool(url: string): PoolLease {
  let shared = pools.get(url);
  if (!shared) {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
    // An idle connection dropped by the server is replaced on the next query; it must not end the process.
    pool.on('error', () => undefined);
    shared = { pool, users: 0 };
    pools.set(url, shared);
  }
  shared.users++;
  const s = shared;
  let released = false;
  return {
    pool: s.pool,
    release: async () => {
      if (released) return;
      released = true;
      if (--s.users > 0) return;
      pools.delete(url);
      await s.pool.end();
    },
  };
}
