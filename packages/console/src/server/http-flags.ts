// `sisflow serve --http ADDRESS [--http-tls-cert F --http-tls-key F] [--http-insecure-public]`:
// the flags checked and read before the service starts, so a mistake is a usage error at once.
import { readFileSync } from 'node:fs';
import { parseListenAddress, refuseAddress, type ListenAddress } from './listen-address.js';

export interface HttpFlags {
  http?: string;
  httpTlsCert?: string;
  httpTlsKey?: string;
  httpInsecurePublic?: boolean;
}

export interface HttpSettings {
  address: ListenAddress;
  tls?: { cert: Buffer; key: Buffer };
}

/** undefined: no --http; an error in words for a usage error. */
export function httpSettings(flags: HttpFlags): HttpSettings | { error: string } | undefined {
  const tlsGiven = flags.httpTlsCert !== undefined || flags.httpTlsKey !== undefined;
  if (flags.http === undefined) {
    return tlsGiven || flags.httpInsecurePublic ? { error: '--http-tls-cert, --http-tls-key and --http-insecure-public go with --http ADDRESS' } : undefined;
  }
  const address = parseListenAddress(flags.http);
  if ('error' in address) return address;
  if (tlsGiven && (flags.httpTlsCert === undefined || flags.httpTlsKey === undefined)) return { error: 'give both --http-tls-cert and --http-tls-key (PEM files)' };
  const why = refuseAddress(address, { tls: tlsGiven, insecurePublic: !!flags.httpInsecurePublic });
  if (why) return { error: why };
  if (!tlsGiven) return { address };
  const read = (flag: string, file: string): Buffer | string => {
    try {
      return readFileSync(file);
    } catch (e) {
      return `${flag} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    }
  };
  const cert = read('--http-tls-cert', flags.httpTlsCert!);
  const key = read('--http-tls-key', flags.httpTlsKey!);
  if (typeof cert === 'string') return { error: cert };
  if (typeof key === 'string') return { error: key };
  return { address, tls: { cert, key } };
}
