// `sisflow sftp fingerprint HOST[:PORT]`: the server's host keys as OpenSSH prints them, to pin
// in a connection's `host_key:` after checking them with the server's owner.
import { probeHostKeys } from '@sisflow/connectors';
import { EXIT, printFailure, type JsonFlag, type Out } from '../io.js';

export function parseHostPort(target: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ?? /^([^:]+)(?::(\d+))?$/.exec(target);
  if (!m) return undefined;
  const port = m[2] === undefined ? 22 : Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

export async function fingerprint(target: string, flags: JsonFlag & { timeout?: string }, out: Out): Promise<number> {
  const hp = parseHostPort(target);
  if (!hp) {
    printFailure(out, flags, { message: `error: "${target}" is not HOST or HOST:PORT` });
    return EXIT.usage;
  }
  const where = `${hp.host}:${hp.port}`;
  try {
    const keys = await probeHostKeys(hp.host, hp.port, Number(flags.timeout ?? 10) * 1000);
    if (flags.json) {
      out.stdout(JSON.stringify({ ok: true, host: hp.host, port: hp.port, keys, host_key: keys[0]!.fingerprint }, null, 2));
      return EXIT.ok;
    }
    out.stdout(`${where} presents:`);
    keys.forEach((k, i) => out.stdout(`  ${k.fingerprint}  ${k.type}${i === 0 ? '  (the key sisflow is shown first)' : ''}`));
    out.stdout(`Confirm the fingerprint with the server's owner (not over the same network), then pin it:`);
    out.stdout(`    host_key: ${keys[0]!.fingerprint}`);
    return EXIT.ok;
  } catch (e) {
    printFailure(out, flags, { message: `error: could not reach ${where}: ${(e as Error).message}` });
    return EXIT.failed;
  }
}
