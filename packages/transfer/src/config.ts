// A district's records-transfer configuration (transfer.yaml): who it is in the registry, where
// the registry is and which operator key it pins, where its service listens and keeps its state,
// and which specs send and receive. Paths are relative to the file. Bad settings are reported
// with the file, the key and what is expected; private keys are never in this file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface TransferLimits {
  /** Largest request body accepted (bytes). */
  maxRequestBytes: number;
  /** Largest package body accepted (bytes). */
  maxPackageBytes: number;
  /** Messages accepted per district per minute. */
  perDistrictPerMinute: number;
  /** How far a message's time may be from the clock (seconds): the replay window. */
  clockSkewSeconds: number;
  /** Days a received package waits for import before it is deleted. */
  packageDays: number;
}

export interface TransferConfig {
  file: string;
  district: string;
  registry: string;
  operatorKey: string;
  /** Folder of the state database, the audit log and pending packages. */
  state: string;
  listen: { host: string; port: number };
  tls?: { cert: string; key: string };
  /** PEM of a private certificate authority other districts' services use (tests, closed networks). */
  ca?: string;
  sendSpec: string;
  receiveSpec: string;
  profile?: string;
  limits: TransferLimits;
}

export class ConfigError extends Error {}

export const DEFAULT_LIMITS: TransferLimits = { maxRequestBytes: 64 * 1024, maxPackageBytes: 16 * 1024 * 1024, perDistrictPerMinute: 60, clockSkewSeconds: 300, packageDays: 30 };

export function loadTransferConfig(file: string): TransferConfig {
  const path = resolve(file);
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return transferConfig(raw, path);
}

export function transferConfig(raw: unknown, path: string): TransferConfig {
  const dir = dirname(path);
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`${path}: \`${key}\` ${what}`);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path}: expected a mapping of settings (district, registry, operator_key, state, …)`);
  const o = raw as Record<string, unknown>;
  const known = ['district', 'registry', 'operator_key', 'state', 'listen', 'tls', 'ca', 'send_spec', 'receive_spec', 'profile', 'limits'];
  for (const k of Object.keys(o)) if (!known.includes(k)) fail(k, `is not a setting (settings: ${known.join(', ')})`);
  const str = (key: string, v: unknown, re?: RegExp, hint?: string): string => {
    if (typeof v !== 'string' || v === '') return fail(key, 'is required (text)');
    if (re && !re.test(v)) fail(key, `must be ${hint}`);
    return v as string;
  };
  const district = str('district', o.district, /^[A-Za-z0-9-]{1,20}$/, "this district's registry code (1–20 letters, digits or dashes)");
  const registryAt = str('registry', o.registry);
  const registry = registryAt.startsWith('https://') ? registryAt : resolve(dir, registryAt);
  const operatorKey = str('operator_key', o.operator_key, /^[A-Za-z0-9_-]{43}$/, "the registry operator key's thumbprint (43 characters, from the operator)");
  const state = resolve(dir, str('state', o.state ?? 'transfer-state'));
  const listen = (o.listen ?? {}) as Record<string, unknown>;
  const port = listen.port ?? 8443;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) fail('listen.port', 'must be a port number');
  const host = listen.host ?? '127.0.0.1';
  if (typeof host !== 'string') fail('listen.host', 'must be an address');
  let tls: TransferConfig['tls'];
  if (o.tls !== undefined) {
    const t = o.tls as Record<string, unknown>;
    tls = { cert: resolve(dir, str('tls.cert', t?.cert)), key: resolve(dir, str('tls.key', t?.key)) };
  }
  let ca: string | undefined;
  if (o.ca !== undefined) {
    const caPath = resolve(dir, str('ca', o.ca));
    try {
      ca = readFileSync(caPath, 'utf8');
    } catch {
      fail('ca', `names ${caPath}, which cannot be read`);
    }
  }
  const limits = { ...DEFAULT_LIMITS };
  const l = (o.limits ?? {}) as Record<string, unknown>;
  const limitKeys: Record<string, keyof TransferLimits> = { max_request_bytes: 'maxRequestBytes', max_package_bytes: 'maxPackageBytes', per_district_per_minute: 'perDistrictPerMinute', clock_skew_seconds: 'clockSkewSeconds', package_days: 'packageDays' };
  for (const [k, v] of Object.entries(l)) {
    const name = limitKeys[k];
    if (!name) fail(`limits.${k}`, `is not a limit (limits: ${Object.keys(limitKeys).join(', ')})`);
    if (typeof v !== 'number' || !(v > 0)) fail(`limits.${k}`, 'must be a positive number');
    limits[name!] = v as number;
  }
  const specDir = resolve(dir);
  return {
    file: path,
    district,
    registry,
    operatorKey,
    state,
    listen: { host: host as string, port: port as number },
    ...(tls ? { tls } : {}),
    ...(ca !== undefined ? { ca } : {}),
    sendSpec: resolve(specDir, str('send_spec', o.send_spec ?? 'send.yaml')),
    receiveSpec: resolve(specDir, str('receive_spec', o.receive_spec ?? 'receive.yaml')),
    ...(typeof o.profile === 'string' ? { profile: o.profile } : {}),
    limits,
  };
}
