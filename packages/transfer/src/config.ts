// A district's records-transfer configuration (transfer.yaml): who it is in the registry, where
// the registry is and which operator key it pins, where its service listens and keeps its state,
// and which specs send and receive. Paths are relative to the file. Problems are diagnostics
// (SF450–SF454) with file:line:col like a spec's; private keys are never in this file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { diagnostic, didYouMean, Locator, sortDiagnostics, SourceText, type Diagnostic, type DiagnosticCode, type Path, type Span } from '@sisflow/core';

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

export class ConfigError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    /** The file's text, for code frames. */
    readonly source?: SourceText,
  ) {
    super(diagnostics.map((d) => `${d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ` : ''}${d.code}: ${d.message}`).join('\n'));
  }
}

export const DEFAULT_LIMITS: TransferLimits = { maxRequestBytes: 64 * 1024, maxPackageBytes: 16 * 1024 * 1024, perDistrictPerMinute: 60, clockSkewSeconds: 300, packageDays: 30 };

const SETTINGS = ['district', 'registry', 'operator_key', 'state', 'listen', 'tls', 'ca', 'send_spec', 'receive_spec', 'profile', 'limits'];
const LIMITS: Record<string, keyof TransferLimits> = { max_request_bytes: 'maxRequestBytes', max_package_bytes: 'maxPackageBytes', per_district_per_minute: 'perDistrictPerMinute', clock_skew_seconds: 'clockSkewSeconds', package_days: 'packageDays' };

/** Reads and checks transfer.yaml; throws ConfigError with every problem found. */
export function loadTransferConfig(file: string): TransferConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([diagnostic('SF450', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`, { hint: 'name the district\'s transfer configuration with -c FILE (default: transfer.yaml here)' })]);
  }
  const source = new SourceText(path, text);
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw new ConfigError([diagnostic('SF450', `${path} is not valid YAML: ${err.message.split('\n')[0]}`, { span: source.span(err.pos[0], err.pos[1]) })], source);
  }
  const locator = new Locator(source, doc);
  const { config, diagnostics } = transferConfig(doc.toJS(), path, (p, key) => (key ? locator.keySpan(p) : locator.valueSpan(p)));
  if (!config) throw new ConfigError(sortDiagnostics(diagnostics), source);
  return config;
}

/** Checks a parsed configuration; `where` places a path in the file (for diagnostics). */
export function transferConfig(raw: unknown, path: string, where?: (path: Path, key?: boolean) => Span): { config?: TransferConfig; diagnostics: Diagnostic[] } {
  const dir = dirname(path);
  const diagnostics: Diagnostic[] = [];
  const report = (code: DiagnosticCode, p: Path, message: string, hint?: string, key = false) => diagnostics.push(diagnostic(code, message, { span: where?.(p, key), hint }));
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    report('SF450', [], `${path} is not a mapping of settings`, `settings: ${SETTINGS.join(', ')}`);
    return { diagnostics };
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!SETTINGS.includes(k)) report('SF451', [k], `\`${k}\` is not a transfer setting`, didYouMean(k, SETTINGS) ?? `settings: ${SETTINGS.join(', ')}`, true);
  const text = (key: string, re?: RegExp, hint?: string, fallback?: string): string => {
    const v = o[key] ?? fallback;
    if (v === undefined) {
      report('SF452', [], `\`${key}\` is required`, hint);
      return '';
    }
    if (typeof v !== 'string' || v === '' || (re && !re.test(v))) report('SF453', [key], `\`${key}\` must be ${hint ?? 'a text'}`);
    return String(v);
  };
  const district = text('district', /^[A-Za-z0-9-]{1,20}$/, "this district's registry code (1–20 letters, digits or dashes), quoted");
  const registryAt = text('registry', /^(https:\/\/|(?![a-z]+:\/\/))/i, 'the signed registry: a file, or an https:// address');
  const operatorKey = text('operator_key', /^[A-Za-z0-9_-]{43}$/, "the registry operator key's thumbprint (43 characters; `sisflow transfer keys --operator` prints it)");
  const state = text('state', undefined, 'a folder', 'transfer-state');
  const sendSpec = text('send_spec', undefined, 'a spec file', 'send.yaml');
  const receiveSpec = text('receive_spec', undefined, 'a spec file', 'receive.yaml');
  if (o.profile !== undefined && typeof o.profile !== 'string') report('SF453', ['profile'], '`profile` must be the name of a profile of the specs');
  const listen = (o.listen ?? {}) as Record<string, unknown>;
  const port = listen.port ?? 8443;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) report('SF453', ['listen', 'port'], '`listen.port` must be a port number (0–65535)');
  const host = listen.host ?? '127.0.0.1';
  if (typeof host !== 'string') report('SF453', ['listen', 'host'], '`listen.host` must be an address to listen on');
  let tls: TransferConfig['tls'];
  if (o.tls !== undefined) {
    const t = (o.tls ?? {}) as Record<string, unknown>;
    if (typeof t.cert !== 'string' || typeof t.key !== 'string') report('SF452', ['tls'], '`tls` needs `cert` and `key` (PEM files)');
    else tls = { cert: resolve(dir, t.cert), key: resolve(dir, t.key) };
  }
  let ca: string | undefined;
  if (o.ca !== undefined) {
    const caPath = resolve(dir, String(o.ca));
    try {
      ca = readFileSync(caPath, 'utf8');
    } catch {
      report('SF454', ['ca'], `\`ca\` names ${caPath}, which cannot be read`, 'a PEM file of the certificate authority that signed the other districts\' service certificates');
    }
  }
  const limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries((o.limits ?? {}) as Record<string, unknown>)) {
    const name = LIMITS[k];
    if (!name) report('SF451', ['limits', k], `\`limits.${k}\` is not a limit`, didYouMean(k, Object.keys(LIMITS)) ?? `limits: ${Object.keys(LIMITS).join(', ')}`, true);
    else if (typeof v !== 'number' || !(v > 0)) report('SF453', ['limits', k], `\`limits.${k}\` must be a positive number`);
    else limits[name] = v;
  }
  if (diagnostics.length > 0) return { diagnostics };
  return {
    diagnostics,
    config: {
      file: path,
      district,
      registry: registryAt.startsWith('https://') ? registryAt : resolve(dir, registryAt),
      operatorKey,
      state: resolve(dir, state),
      listen: { host: host as string, port: port as number },
      ...(tls ? { tls } : {}),
      ...(ca !== undefined ? { ca } : {}),
      sendSpec: resolve(dir, sendSpec),
      receiveSpec: resolve(dir, receiveSpec),
      ...(typeof o.profile === 'string' ? { profile: o.profile } : {}),
      limits,
    },
  };
}
