// One SFTP connection with the guards a nightly job needs: the host key pinned, every operation
// watched for stalls, errors that name host, port and path (never a password or key), and retries
// with backoff for what a network does on a bad night — but never for a refused login or host key.
import type { Client, SFTPWrapper } from 'ssh2';
import type SftpClient from 'ssh2-sftp-client';
import { connectionFailure, type RunContext, type Settings } from '@sisflow/core';
import { withRetries } from '../retry.js';
import { FINGERPRINT_PATTERN, hostKeyOf, probeHostKeys, type HostKey } from './host-key.js';

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  hostKeys: string[];
  /** The remote folder paths are relative to ('' for the login folder). */
  dir: string;
  connectTimeoutMs: number;
  /** An operation that makes no progress for this long fails (and may be retried). */
  timeoutMs: number;
  keepaliveMs: number;
  retries: number;
  retryDelayMs: number;
}

export function sftpSettings(c: Settings): SftpSettings {
  const num = (k: string, d: number) => (typeof c[k] === 'number' ? (c[k] as number) : d);
  const str = (k: string) => (typeof c[k] === 'string' && c[k] !== '' ? (c[k] as string) : undefined);
  const pins = c.host_key === undefined ? [] : Array.isArray(c.host_key) ? (c.host_key as string[]) : [String(c.host_key)];
  return {
    host: String(c.host),
    port: num('port', 22),
    username: String(c.username),
    ...(str('password') ? { password: str('password')! } : {}),
    ...(str('private_key') ? { privateKey: str('private_key')! } : {}),
    ...(str('passphrase') ? { passphrase: str('passphrase')! } : {}),
    hostKeys: pins.map((p) => p.trim()).filter((p) => p !== ''),
    dir: typeof c.dir === 'string' ? c.dir.replace(/\/+$/, '') : '',
    connectTimeoutMs: num('connect_timeout_seconds', 20) * 1000,
    timeoutMs: num('timeout_seconds', 60) * 1000,
    keepaliveMs: num('keepalive_seconds', 15) * 1000,
    retries: num('retries', 3),
    retryDelayMs: num('retry_delay_seconds', 2) * 1000,
  };
}

/** A failure with what it happened to; `retryable` when trying again may well succeed. */
export class SftpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * Parallel requests and request size for fastPut/fastGet. 32 × 255 KB measured fastest on
 * loopback OpenSSH (bench/sftp-throughput.ts); ssh2 splits requests to the server's own limits.
 */
export const TRANSFER = { concurrency: 32, chunkSize: 255 * 1024 };

/** SSH_FX status codes (SFTP v3) an operation can fail with. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

export class SftpSession {
  private lost = false;
  private closing = false;

  private constructor(
    readonly s: SftpSettings,
    readonly client: SftpClient,
  ) {}

  /** `host:port` for messages. */
  get where(): string {
    return `${this.s.host}:${this.s.port}`;
  }

  /** A path relative to the connection's `dir`, as the server sees it. */
  remote(path: string): string {
    if (path.startsWith('/') || this.s.dir === '') return path;
    return `${this.s.dir}/${path}`;
  }

  get raw(): SFTPWrapper {
    return (this.client as unknown as { sftp: SFTPWrapper }).sftp;
  }

  private get ssh(): Client {
    return (this.client as unknown as { client: Client }).client;
  }

  static async open(s: SftpSettings, signal: AbortSignal): Promise<SftpSession> {
    const malformed = s.hostKeys.find((k) => !new RegExp(FINGERPRINT_PATTERN).test(k));
    if (malformed !== undefined) {
      throw new SftpError(`host_key of ${s.host}:${s.port} is not a SHA256 fingerprint ("${malformed.slice(0, 60)}"); write it as \`sisflow sftp fingerprint\` prints it`, false);
    }
    if (s.hostKeys.length === 0) {
      // Fail closed, but say what the server presented so the user can pin it after checking it.
      const seen = await probeHostKeys(s.host, s.port, s.connectTimeoutMs).catch(() => [] as HostKey[]);
      const shown = seen[0] ? ` (the server presents ${seen[0].fingerprint}, ${seen[0].type})` : '';
      throw new SftpError(`${s.host}:${s.port} has no pinned host_key${shown}; check it with the server's owner and set \`host_key:\` (\`sisflow sftp fingerprint ${s.host}:${s.port}\` prints it)`, false);
    }
    if (s.privateKey !== undefined) await checkPrivateKey(s);
    // Loaded on the first connection, so that a command that makes none (validate) loads no SSH code.
    const { default: Client } = await import('ssh2-sftp-client');
    const client = new Client('sisflow');
    const session = new SftpSession(s, client);
    let seen: HostKey | undefined;
    const onAbort = () => session.ssh.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect({
        host: s.host,
        port: s.port,
        username: s.username,
        ...(s.password !== undefined ? { password: s.password } : {}),
        ...(s.privateKey !== undefined ? { privateKey: s.privateKey } : {}),
        ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
        readyTimeout: s.connectTimeoutMs,
        keepaliveInterval: s.keepaliveMs,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          seen = hostKeyOf(key);
          return s.hostKeys.includes(seen.fingerprint);
        },
      });
    } catch (e) {
      await client.end().catch(() => undefined);
      if (signal.aborted) throw signal.reason ?? e;
      if (seen && !s.hostKeys.includes(seen.fingerprint)) {
        throw new SftpError(
          `the host key of ${session.where} is ${seen.fingerprint} (${seen.type}), not the pinned ${s.hostKeys.join(' or ')}; the connection was refused. If the server's key really changed, confirm the new fingerprint with its owner and update \`host_key:\``,
          false,
        );
      }
      throw session.explain(e, 'connecting');
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const onLost = () => {
      if (!session.closing) session.lost = true;
    };
    session.ssh.on('close', onLost);
    session.ssh.on('end', onLost);
    client.on('error', () => undefined);
    return session;
  }

  get alive(): boolean {
    return !this.lost && !this.closing && this.raw !== undefined;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.client.end().catch(() => undefined);
  }

  /**
   * Runs one operation; it fails when it makes no progress for `timeout_seconds` (the connection is
   * then dropped) or when the run is cancelled. `op` calls `progress()` as bytes move.
   */
  async watch<T>(what: string, signal: AbortSignal, op: (progress: () => void) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let stalled = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        this.ssh.destroy();
      }, this.s.timeoutMs);
    };
    const onAbort = () => this.ssh.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
    try {
      return await op(arm);
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      if (stalled) {
        this.lost = true;
        throw new SftpError(`${what} on ${this.where} stalled: no progress for ${this.s.timeoutMs / 1000} s; the connection was dropped`, true);
      }
      throw this.explain(e, what);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Turns a library error into a message a user can act on, and decides whether to retry. */
  explain(e: unknown, what: string): SftpError {
    if (e instanceof SftpError) return e;
    const err = e as Error & { code?: string | number; level?: string };
    const text = (err?.message ?? String(e)).replace(/^\w+(->\w+)*: /, '').replace(/^\w+: /, '');
    if (err?.level === 'client-authentication' || /authentication methods failed/i.test(text)) {
      return new SftpError(`${this.where} refused the login of ${this.s.username} (wrong password or key?)`, false);
    }
    if (err?.code === PERMISSION_DENIED || /permission denied/i.test(text)) return new SftpError(`${what} on ${this.where}: permission denied`, false);
    if (err?.code === NO_SUCH_FILE || /no such file/i.test(text)) return new SftpError(`${what} on ${this.where}: no such file or folder`, false);
    if (err?.code === 'ENOTFOUND') return new SftpError(`${this.s.host} is not a known host name (DNS)`, false);
    if (this.lost || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|timed out|no response|not connected|no sftp connection|connection lost|unexpected (end|close)/i.test(`${err?.code ?? ''} ${text}`)) {
      return new SftpError(`${what} on ${this.where} failed: ${text}`, true);
    }
    return new SftpError(`${what} on ${this.where} failed: ${text}`, false);
  }
}

/**
 * A lazily opened session that is reopened after a retryable failure. `use` runs an operation with
 * up to `retries` further attempts, waiting `retry_delay_seconds` and doubling it between them;
 * each retry is counted in the run report as `sftp retries`.
 */
export class SftpConnection {
  private session: SftpSession | undefined;

  constructor(
    readonly s: SftpSettings,
    private readonly ctx: RunContext,
  ) {}

  async use<T>(what: string, op: (session: SftpSession, attempt: number) => Promise<T>, options: { retries?: number } = {}): Promise<T> {
    const policy = { retries: options.retries ?? this.s.retries, delayMs: this.s.retryDelayMs, event: 'sftp retries' };
    return withRetries(
      this.ctx,
      policy,
      async (attempt) => {
        try {
          if (!this.session?.alive) {
            await this.session?.close();
            // Not reaching the server, its host key or the log-in: the connection's own failure.
            this.session = await SftpSession.open(this.s, this.ctx.signal).catch((e: unknown) => {
              throw this.ctx.signal.aborted || !(e instanceof SftpError) ? e : connectionFailure(e);
            });
          }
          return await op(this.session, attempt);
        } catch (e) {
          const err = e instanceof SftpError ? e : (this.session?.explain(e, what) ?? new SftpError(String(e), false));
          if (err.retryable) {
            // The connection is suspect: the next use (a retry, or cleanup) starts a fresh one.
            await this.session?.close();
            this.session = undefined;
          }
          throw err;
        }
      },
      (e) => ({ error: e as SftpError, retryable: e instanceof SftpError && e.retryable }),
    );
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = undefined;
  }
}


/** Promisified raw SFTP calls the client library does not wrap. */
export function call(fn: (cb: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/**
 * Reads the private key before connecting, so that a key that cannot be used fails with sisflow's
 * own words: the parser's message may quote decoded bytes of the key ("Unsupported OpenSSH key
 * magic: …"), which no redaction of the key's text can recognise.
 */
async function checkPrivateKey(s: SftpSettings): Promise<void> {
  const { utils } = (await import('ssh2')).default;
  let parsed: unknown;
  try {
    parsed = utils.parseKey(s.privateKey!, s.passphrase);
  } catch {
    parsed = new Error('unreadable');
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!(key instanceof Error) && key !== undefined) return;
  const encrypted = /ENCRYPTED|aes|bcrypt/i.test(s.privateKey!.slice(0, 200)) || /passphrase|decrypt|encrypted/i.test(key instanceof Error ? key.message : '');
  throw new SftpError(
    encrypted && s.passphrase === undefined
      ? `the private_key for ${s.username}@${s.host}:${s.port} is encrypted and no passphrase is set; add \`passphrase: \${secret:NAME}\``
      : encrypted
        ? `the private_key for ${s.username}@${s.host}:${s.port} cannot be unlocked with the passphrase given`
        : `the private_key for ${s.username}@${s.host}:${s.port} is not a private key sisflow can read (OpenSSH "BEGIN OPENSSH PRIVATE KEY" or PEM RSA/ECDSA/Ed25519 text); check that the whole key was copied, with its BEGIN and END lines`,
    false,
  );
}
