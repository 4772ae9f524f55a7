// What `sisflow doctor` asks an SFTP server, moving no data: the pinned host key and the login,
// then for each file the spec reads whether it is there, and for each folder it writes whether a
// file can be created there (an empty probe file, removed at once).
import { posix } from 'node:path';
import { standaloneContext, type AccessCheckRequest, type AccessProbe } from '@sisflow/core';
import { findFiles } from './download.js';
import { SftpConnection, sftpSettings } from './session.js';

export async function checkSftpAccess(req: AccessCheckRequest): Promise<AccessProbe[]> {
  const s = { ...sftpSettings(req.connection), retries: 0 };
  const ctx = standaloneContext({ signal: req.signal });
  const conn = new SftpConnection(s, ctx);
  const everyone = req.uses.map((u) => u.step);
  const login: AccessProbe = { area: `log in as ${s.username} to ${s.host}:${s.port} (pinned host key)`, needed: true, usedBy: everyone, status: 'granted', request: `ssh ${s.username}@${s.host}:${s.port}` };
  try {
    await conn.use('logging in', async () => undefined);
  } catch (e) {
    await conn.close();
    return [{ ...login, status: 'refused', detail: (e as Error).message }];
  }
  const probes: AccessProbe[] = [login];
  try {
    for (const u of req.uses) {
      const path = String(u.settings.path);
      if (u.role === 'source') {
        const probe: AccessProbe = { area: `read ${path}`, needed: true, usedBy: [u.step], status: 'granted', request: `list ${posix.dirname(path)}` };
        try {
          const files = await findFiles(conn, ctx, path);
          if (files.length === 0) probes.push({ ...probe, status: 'not found', detail: `no file matches ${path} yet (a run with missing: error would fail)` });
          else probes.push({ ...probe, detail: `${files.length} file(s)` });
        } catch (e) {
          probes.push({ ...probe, status: 'refused', detail: (e as Error).message });
        }
        continue;
      }
      const folder = posix.dirname(path);
      const probeName = posix.join(folder, `.sisflow-doctor-${process.pid}`);
      const probe: AccessProbe = { area: `write into ${folder === '.' ? 'the folder' : folder}`, needed: true, usedBy: [u.step], status: 'granted', request: `create and remove ${probeName}` };
      try {
        await conn.use(`writing ${probeName}`, async (session) => {
          await session.client.put(Buffer.alloc(0), session.remote(probeName));
          await session.client.delete(session.remote(probeName));
        });
        probes.push(probe);
      } catch (e) {
        probes.push({ ...probe, status: 'refused', detail: (e as Error).message });
      }
    }
  } finally {
    await conn.close();
  }
  return probes;
}
