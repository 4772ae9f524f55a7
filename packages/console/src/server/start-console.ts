// Starts the console's HTTP (or HTTPS) server with @hono/node-server; resolves once it listens.
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createConsoleApp } from '../console-app.js';
import type { ConsoleOptions } from '../console-options.js';
import type { ListenAddress } from './listen-address.js';

export interface RunningConsole {
  /** The base URL, e.g. http://127.0.0.1:8080 (the real port when 0 was asked). */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions extends ConsoleOptions {
  address: Pick<ListenAddress, 'host' | 'port'>;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer | string; key: Buffer | string };
}

export async function startConsole(o: StartOptions): Promise<RunningConsole> {
  const { app } = createConsoleApp({ ...o, secureCookies: o.secureCookies ?? !!o.tls });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s: ServerType = serve(
      {
        fetch: app.fetch,
        hostname: o.address.host,
        port: o.address.port,
        ...(o.tls ? { createServer: createHttpsServer, serverOptions: { cert: o.tls.cert, key: o.tls.key } } : {}),
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `${o.tls ? 'https' : 'http'}://${host}:${a.port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Browsers keep idle connections open; they must not hold the service's shutdown.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
