// Where `--http` listens: loopback unless TLS is configured or the operator says, in so many words,
// that the console may be reached in clear text from other machines.
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
  loopback: boolean;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`, `0.0.0.0:8443`, or a port alone (loopback). */
export function parseListenAddress(text: string): ListenAddress | { error: string } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) return { error: `--http needs HOST:PORT (e.g. 127.0.0.1:8080) or a port, not "${text}"` };
  const host = (m[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  if (host !== 'localhost' && !isIP(host)) return { error: `--http needs an IP address or localhost, not "${host}" (a name could resolve to a public address)` };
  return { host, port, loopback: isLoopback(host) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./i.test(host);
}

/** Why this address may not be used as configured, or undefined. */
export function refuseAddress(a: ListenAddress, o: { tls: boolean; insecurePublic: boolean }): string | undefined {
  if (a.loopback || o.tls || o.insecurePublic) return undefined;
  return `--http ${a.host}:${a.port} is not a loopback address: the console would be reachable from other machines in clear text (the admin token and session cookie too). Give --http-tls-cert and --http-tls-key, or put it behind a TLS proxy on loopback, or say --http-insecure-public`;
}
