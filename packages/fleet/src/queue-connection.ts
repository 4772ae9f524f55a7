// The Redis of a fleet's queue, from `--queue redis://…` (a password as `${secret:NAME}`).
import type { SecretSource } from '@sisflow/core';
import { resolveSecretUrl } from '@sisflow/service';
import { FleetError } from './fleet-error.js';

export interface QueueConnection {
  url: string;
  /** ioredis must retry forever for BullMQ's blocking commands: a Redis restart is waited out. */
  maxRetriesPerRequest: null;
}

export function queueConnection(url: string, secrets: SecretSource): QueueConnection {
  if (!/^rediss?:\/\/[^/]*(\/\d+)?$/.test(url)) {
    throw new FleetError('SF703', 'the queue URL is not a Redis URL', 'e.g. `--queue redis://127.0.0.1:6379`, or `rediss://:${secret:REDIS_PASSWORD}@redis.example.org:6380/0`');
  }
  const password = /^rediss?:\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1];
  if (password && !/^\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}$/.test(password)) {
    throw new FleetError('SF703', 'the queue URL holds a password in clear text', 'write it as `${secret:REDIS_PASSWORD}`');
  }
  return { url: resolveSecretUrl(url, secrets, 'the queue URL').resolved, maxRetriesPerRequest: null };
}
