// Deterministic identifiers and e-mail normalisation.
import { createHash } from 'node:crypto';
import { T, nullable, typeToString } from '../types.js';
import { fixed, type FunctionDef } from '../functions.js';
import { toText } from './numbers.js';

/** Namespace for sisflow's UUIDs when a spec gives a plain name instead of a UUID namespace. */
const SISFLOW_NS = 'a8d6a3a2-6c41-5b8e-9d3c-3f1f1b6f2e10';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** RFC 4122 version-5 UUID of a name in a namespace (itself a UUID, or any text hashed into one). */
export function uuidV5(namespace: string, name: string): string {
  const ns = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(namespace) ? namespace : uuidV5(SISFLOW_NS, namespace);
  const hash = createHash('sha1').update(uuidBytes(ns)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function keyOf(parts: unknown[]): string {
  return parts.map((p) => (p === null ? '' : toText(p))).join('\u001f');
}

const idCheck = (c: Parameters<FunctionDef['check']>[0]) => {
  if (c.args.length < 2) return { error: 'takes a namespace and at least one key part', code: 'SF304' as const };
  const bad = c.args.findIndex((a) => a.kind === 'list' || a.kind === 'map');
  if (bad >= 0) return { error: `argument ${bad + 1} cannot be ${typeToString(c.args[bad]!)}`, arg: bad };
  return T.string;
};

export const ID_FUNCTIONS: FunctionDef[] = [
  {
    name: 'uuid5',
    summary: 'A stable UUID (version 5) from a namespace and key parts: the same inputs give the same ID in every run.',
    signature: 'uuid5(namespace, part, …) → string',
    // Computed when read (the function reference, tests), not when the CLI starts: hashing loads node:crypto.
    examples: [
      {
        call: "uuid5('district-0612345', 'student', 1001)",
        get result() {
          return uuidV5('district-0612345', keyOf(['student', 1001]));
        },
      },
    ],
    check: idCheck,
    nulls: 'handles',
    impl: (ns: string | null, ...parts: unknown[]) => uuidV5(ns ?? '', keyOf(parts)),
  },
  {
    name: 'hash_id',
    summary: 'A stable short ID: the first 16 hex digits of SHA-256 over the namespace and key parts.',
    signature: 'hash_id(namespace, part, …) → string',
    examples: [
      {
        call: "hash_id('orgs', 994)",
        get result() {
          return createHash('sha256').update(keyOf(['orgs', 994])).digest('hex').slice(0, 16);
        },
      },
    ],
    check: idCheck,
    nulls: 'handles',
    impl: (ns: string | null, ...parts: unknown[]) => createHash('sha256').update(keyOf([ns, ...parts])).digest('hex').slice(0, 16),
  },
  {
    name: 'normalize_email',
    summary: 'Trims and lower-cases an e-mail address; null when it is blank or not an address.',
    signature: 'normalize_email(text) → string?',
    examples: [
      { call: "normalize_email(' Ava.Ng@School.ORG ')", result: 'ava.ng@school.org' },
      { call: "normalize_email('n/a')", result: null },
    ],
    check: fixed([T.string], nullable(T.string, true)),
    nulls: 'propagate',
    impl: (v: string) => {
      const e = v.trim().toLowerCase();
      return EMAIL.test(e) ? e : null;
    },
  },
];
