// What the fleet serves — each district and its spec names — as `serve --queue` last reconciled
// it, kept in the queue's Redis beside the schedulers. It is the fleet's source of truth: a worker
// whose own folders lack a job's district (another folder set, an older checkout, started before
// the district was added) leaves the job for another worker while the district is served here, and
// drops it only once the fleet no longer serves it. Names only, never settings or secrets.
import type { Redis } from 'ioredis';
import { QUEUE_NAME } from './fleet-job.js';

/** The Redis hash: field district, value the JSON array of its spec names. */
export const SERVED_KEY = `sisflow:${QUEUE_NAME}:served`;

/** Makes the record exactly these districts and specs, in one transaction. */
export async function recordServed(redis: Redis, served: Map<string, string[]>): Promise<void> {
  const tx = redis.multi().del(SERVED_KEY);
  for (const [district, specs] of served) tx.hset(SERVED_KEY, district, JSON.stringify([...new Set(specs)].sort()));
  await tx.exec();
}

/**
 * Adds a spec to its district's record in one step on the server (a Lua script), so two runs asked
 * for at once, of two specs of one district, both stay recorded: read, add and write from here
 * would let the later write drop the earlier spec.
 */
const ADD_SPEC = `
local had = redis.call('HGET', KEYS[1], ARGV[1])
local specs = {}
if had then specs = cjson.decode(had) end
for _, s in ipairs(specs) do
  if s == ARGV[2] then return 0 end
end
table.insert(specs, ARGV[2])
table.sort(specs)
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(specs))
return 1`;

/** Adds a spec (and its district) to the record when it lacks it: a run asked for before `serve --queue` reconciled it. */
export async function recordServedSpec(redis: Redis, district: string, spec: string): Promise<void> {
  await redis.eval(ADD_SPEC, 1, SERVED_KEY, district, spec);
}

/** Every district the fleet serves, with its spec names. */
export async function servedDistricts(redis: Redis): Promise<Map<string, string[]>> {
  const all = await redis.hgetall(SERVED_KEY);
  return new Map(Object.entries(all).map(([district, specs]) => [district, JSON.parse(specs) as string[]]));
}

/** Whether the fleet serves this spec of this district. */
export async function isServed(redis: Redis, district: string, spec: string): Promise<boolean> {
  const specs = await redis.hget(SERVED_KEY, district);
  return specs !== null && (JSON.parse(specs) as string[]).includes(spec);
}
