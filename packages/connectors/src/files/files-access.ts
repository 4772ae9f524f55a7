// What `sisflow doctor` checks of a local folder: the files a spec reads are there and readable,
// the folders it writes exist (or can be made) and take a new file (an empty probe, removed at once).
import { constants } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AccessCheckRequest, AccessProbe } from '@sisflow/core';
import { resolveInside } from './paths.js';

export async function checkFilesAccess(req: AccessCheckRequest): Promise<AccessProbe[]> {
  const base = req.baseDir ?? '.';
  const dir = String(req.connection.dir);
  const probes: AccessProbe[] = [];
  for (const u of req.uses) {
    const rel = String(u.settings.path);
    let path: string;
    try {
      path = resolveInside(base, dir, rel);
    } catch (e) {
      probes.push({ area: `${u.role === 'source' ? 'read' : 'write'} ${rel}`, needed: true, usedBy: [u.step], status: 'refused', request: rel, detail: (e as Error).message });
      continue;
    }
    if (u.role === 'source') {
      const probe: AccessProbe = { area: `read ${rel}`, needed: true, usedBy: [u.step], status: 'granted', request: path };
      try {
        await access(path, constants.R_OK);
        probes.push(probe);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        probes.push({ ...probe, status: code === 'ENOENT' ? 'not found' : 'refused', detail: code === 'ENOENT' ? `${path} does not exist` : (e as Error).message });
      }
      continue;
    }
    const folder = dirname(path);
    const probeFile = resolve(folder, `.sisflow-doctor-${process.pid}`);
    const probe: AccessProbe = { area: `write into ${folder}`, needed: true, usedBy: [u.step], status: 'granted', request: `create and remove ${probeFile}` };
    try {
      // A folder that is not there yet is made by the run: check the nearest one that is, and make nothing.
      let existing = folder;
      while (!(await exists(existing)) && dirname(existing) !== existing) existing = dirname(existing);
      if (existing !== folder) {
        await access(existing, constants.W_OK);
        probes.push({ ...probe, detail: `${folder} will be made in ${existing}` });
        continue;
      }
      await writeFile(probeFile, '', { flag: 'wx' });
      await rm(probeFile, { force: true });
      probes.push(probe);
    } catch (e) {
      probes.push({ ...probe, status: 'refused', detail: (e as Error).message });
    }
  }
  return probes;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
