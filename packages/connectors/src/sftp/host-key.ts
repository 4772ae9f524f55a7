// SSH host keys as OpenSSH prints them (`SHA256:` + unpadded base64 of the key blob's SHA-256),
// and a probe that asks a server for its keys without logging in, for `sisflow sftp fingerprint`.
import { createHash } from 'node:crypto';

export const FINGERPRINT_PATTERN = '^SHA256:[A-Za-z0-9+/]{43}$';

export interface HostKey {
  fingerprint: string;
  /** The key's algorithm name from its blob: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, … */
  type: string;
}

export function hostKeyOf(blob: Buffer): HostKey {
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
  return { fingerprint, type };
}

/** Host key algorithms asked for one at a time, the one sisflow negotiates by default first. */
const PROBE_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] as const;

/**
 * The server's host keys: the one a default connection sees first, then every other type it offers.
 * Nothing is authenticated: each connection stops at the host key check.
 */
export async function probeHostKeys(host: string, port: number, timeoutMs = 10_000): Promise<HostKey[]> {
  const first = await probeOne(host, port, timeoutMs);
  const keys = [first];
  for (const algorithm of PROBE_ALGORITHMS) {
    const k = await probeOne(host, port, timeoutMs, algorithm).catch(() => undefined);
    if (k && !keys.some((x) => x.fingerprint === k.fingerprint)) keys.push(k);
  }
  return keys;
}

async function probeOne(host: string, port: number, timeoutMs: number, algorithm?: string): Promise<HostKey> {
  const { default: ssh2 } = await import('ssh2'); // loaded on first use
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let seen: HostKey | undefined;
    const done = (e?: Error) => {
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.destroy();
      if (seen) resolve(seen);
      else reject(e ?? new Error(`${host}:${port} closed the connection before showing a host key`));
    };
    client.on('error', (e) => done(e));
    client.on('close', () => done());
    client.on('ready', () => done());
    client.connect({
      host,
      port,
      username: 'sisflow-fingerprint',
      readyTimeout: timeoutMs,
      ...(algorithm ? { algorithms: { serverHostKey: [algorithm as never] } } : {}),
      hostVerifier: (key: Buffer) => {
        seen = hostKeyOf(key);
        return false;
      },
    });
  });
}
