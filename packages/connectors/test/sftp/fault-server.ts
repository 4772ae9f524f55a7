// An in-process SSH/SFTP server (ssh2's server side) over an in-memory file tree, with faults to
// inject: a connection dropped after N bytes, writes that stall, a refused rename, permission
// denied. Like many non-OpenSSH servers it offers no posix-rename, so the fallback path runs here.
import ssh2, { type Connection, type SFTPWrapper } from 'ssh2';
import { posix } from 'node:path';
import { hostKeyOf } from '@sisflow/connectors';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export interface Faults {
  /** Drop the connection once this many bytes were written (uploads) in one connection. */
  dropAfterWritten?: number;
  /** Drop the connection once this many bytes were read (downloads) in one connection. */
  dropAfterRead?: number;
  /** How many connections the drops apply to (then uploads go through). */
  drops?: number;
  /** Never answer WRITE requests. */
  stallWrites?: boolean;
  refuseRename?: boolean;
  /** Opening a file for writing answers "permission denied". */
  denyWrite?: boolean;
}

export interface FaultServer {
  port: number;
  fingerprint: string;
  username: string;
  password: string;
  files: Map<string, { data: Buffer; mtime: number }>;
  dirs: Set<string>;
  faults: Faults;
  /** Connections that logged in. */
  logins: number;
  stop(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const key = utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(key.public);
  if (parsed instanceof Error) throw parsed;
  const state: FaultServer = {
    port: 0,
    fingerprint: hostKeyOf(parsed.getPublicSSH()).fingerprint,
    username: 'sis',
    password: 'pw-Secret-7731',
    files: new Map(),
    dirs: new Set(['/', '/data']),
    faults: {},
    logins: 0,
    stop: async () => undefined,
  };
  const sockets = new Set<Connection>();
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === state.username && ctx.password === state.password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('ready', () => {
      state.logins++;
      client.on('session', (accept) => {
        accept().on('sftp', (acceptSftp) => serve(acceptSftp(), state, () => (client as unknown as { _sock: { destroy(): void } })._sock.destroy()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.address() as { port: number }).port;
  state.stop = async () => {
    for (const c of sockets) c.end();
    await new Promise((r) => server.close(() => r(undefined)));
  };
  return state;
}

function serve(sftp: SFTPWrapper, state: FaultServer, drop: () => void): void {
  const handles = new Map<number, { path: string; listed?: boolean }>();
  let nextHandle = 1;
  let written = 0;
  let read = 0;
  const dropping = () => (state.faults.drops ?? Infinity) > 0;
  const dropNow = () => {
    if (state.faults.drops !== undefined) state.faults.drops--;
    drop();
  };
  const handleOf = (buf: Buffer) => handles.get(buf.readUInt32BE(0));
  const newHandle = (path: string) => {
    const id = nextHandle++;
    handles.set(id, { path });
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return b;
  };
  const attrs = (path: string) => {
    const f = state.files.get(path);
    const now = Math.floor(Date.now() / 1000);
    if (f) return { mode: 0o100644, uid: 0, gid: 0, size: f.data.length, atime: now, mtime: Math.floor(f.mtime / 1000) };
    if (state.dirs.has(path)) return { mode: 0o040755, uid: 0, gid: 0, size: 0, atime: now, mtime: now };
    return undefined;
  };
  const longname = (name: string, path: string) => `${state.dirs.has(path) ? 'd' : '-'}rw-r--r-- 1 sis sis ${state.files.get(path)?.data.length ?? 0} Nov 23 05:30 ${name}`;

  sftp.on('REALPATH', (id, path) => {
    const p = posix.resolve('/', path);
    sftp.name(id, [{ filename: p, longname: p, attrs: attrs(p) ?? { mode: 0, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 } }]);
  });
  const statOf = (id: number, path: string) => {
    const a = attrs(path);
    if (a) sftp.attrs(id, a);
    else sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
  };
  sftp.on('STAT', statOf);
  sftp.on('LSTAT', statOf);
  sftp.on('OPEN', (id, path, flags) => {
    if (flags & OPEN_MODE.WRITE) {
      if (state.faults.denyWrite) return sftp.status(id, STATUS_CODE.PERMISSION_DENIED, 'Permission denied');
      if (!state.dirs.has(posix.dirname(path))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
      if (flags & OPEN_MODE.TRUNC || !state.files.has(path)) state.files.set(path, { data: Buffer.alloc(0), mtime: Date.now() });
    } else if (!state.files.has(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    sftp.handle(id, newHandle(path));
  });
  sftp.on('WRITE', (id, handle, offset, data) => {
    if (state.faults.stallWrites) return;
    const h = handleOf(handle);
    const f = h && state.files.get(h.path);
    if (!f) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    const end = offset + data.length;
    if (end > f.data.length) {
      const grown = Buffer.alloc(end);
      f.data.copy(grown);
      f.data = grown;
    }
    data.copy(f.data, offset);
    f.mtime = Date.now();
    written += data.length;
    if (state.faults.dropAfterWritten !== undefined && written >= state.faults.dropAfterWritten && dropping()) return dropNow();
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('READ', (id, handle, offset, length) => {
    const h = handleOf(handle);
    const f = h && state.files.get(h.path);
    if (!f) return sftp.status(id, STATUS_CODE.FAILURE, 'bad handle');
    if (offset >= f.data.length) return sftp.status(id, STATUS_CODE.EOF);
    const chunk = f.data.subarray(offset, Math.min(offset + length, f.data.length));
    read += chunk.length;
    if (state.faults.dropAfterRead !== undefined && read >= state.faults.dropAfterRead && dropping()) return dropNow();
    sftp.data(id, chunk);
  });
  sftp.on('FSTAT', (id, handle) => {
    const h = handleOf(handle);
    statOf(id, h?.path ?? '');
  });
  sftp.on('CLOSE', (id, handle) => {
    handles.delete(handle.readUInt32BE(0));
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('OPENDIR', (id, path) => {
    if (!state.dirs.has(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    sftp.handle(id, newHandle(path));
  });
  sftp.on('READDIR', (id, handle) => {
    const h = handleOf(handle);
    if (!h || h.listed) return sftp.status(id, STATUS_CODE.EOF);
    h.listed = true;
    const children = [...state.files.keys(), ...state.dirs].filter((p) => p !== h.path && posix.dirname(p) === h.path);
    if (children.length === 0) return sftp.status(id, STATUS_CODE.EOF);
    sftp.name(id, children.map((p) => ({ filename: posix.basename(p), longname: longname(posix.basename(p), p), attrs: attrs(p)! })));
  });
  sftp.on('MKDIR', (id, path) => {
    if (state.dirs.has(path) || state.files.has(path)) return sftp.status(id, STATUS_CODE.FAILURE, 'exists');
    if (!state.dirs.has(posix.dirname(path))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    state.dirs.add(path);
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('REMOVE', (id, path) => {
    if (!state.files.delete(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('RENAME', (id, from, to) => {
    if (state.faults.refuseRename) return sftp.status(id, STATUS_CODE.FAILURE, 'rename refused by policy');
    const f = state.files.get(from);
    if (!f) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'No such file');
    if (state.files.has(to) || state.dirs.has(to)) return sftp.status(id, STATUS_CODE.FAILURE, 'target exists');
    state.files.delete(from);
    state.files.set(to, f);
    sftp.status(id, STATUS_CODE.OK);
  });
}
