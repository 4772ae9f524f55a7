// The district projects a fleet process serves: folders given one by one, or every folder with a
// sisflow.yaml directly under `--projects-dir`. Each district is a tenant: its name is unique, and
// its history is a shared PostgreSQL one (`--history URL` or the project's `history: url:`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatDiagnostics, hasErrors, type ConnectorRegistry, type SecretSource } from '@sisflow/core';
import { environmentSecrets } from '@sisflow/connectors';
import { historyUrl, openProject, PROJECT_FILE, type Project } from '@sisflow/service';
import { FleetError } from './fleet-error.js';

export interface FleetProjectsOptions {
  folders: string[];
  projectsDir?: string;
  /** `--history URL`: the shared history of every project given. */
  history?: string;
  registry: ConnectorRegistry;
  /** Told of a project that cannot be served, which is then left out; without it, the first such problem is thrown. */
  onProblem?(e: FleetError): void;
}

/** Every project folder named, once, in order (the folders of projectsDir sorted). */
export function projectFolders(o: Pick<FleetProjectsOptions, 'folders' | 'projectsDir'>): string[] {
  const dirs = o.folders.map((f) => resolve(f));
  if (o.projectsDir) {
    const root = resolve(o.projectsDir);
    for (const e of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory() && existsSync(join(root, e.name, PROJECT_FILE))) dirs.push(join(root, e.name));
    }
  }
  return [...new Set(dirs)];
}

/**
 * What a change to the projects would change: the project folders, and the size and time of each
 * one's sisflow.yaml and of every YAML file beside its specs. `serve --queue` compares it on a timer,
 * so a change a file-system watch missed (a network mount, a burst during start-up) is still seen.
 */
export function projectsSignature(o: Pick<FleetProjectsOptions, 'folders' | 'projectsDir'>, projects: Map<string, Project>): string {
  const stamp = (f: string) => {
    try {
      const st = statSync(f);
      return `${f} ${st.size} ${st.mtimeMs}`;
    } catch {
      return `${f} -`;
    }
  };
  const parts = projectFolders(o).map((d) => stamp(join(d, PROJECT_FILE)));
  const specDirs = new Set([...projects.values()].flatMap((p) => p.specs.map((f) => dirname(f))));
  for (const d of [...specDirs].sort()) {
    try {
      for (const f of readdirSync(d).filter((n) => /\.ya?ml$/.test(n)).sort()) parts.push(stamp(join(d, f)));
    } catch {
      parts.push(`${d} -`);
    }
  }
  return parts.join('\n');
}

/** The projects by district; a FleetError when one cannot be read, lacks a shared history, or repeats a district. */
export function loadFleetProjects(o: FleetProjectsOptions): Map<string, Project> {
  const byDistrict = new Map<string, Project>();
  for (const dir of projectFolders(o)) {
    try {
      const p = loadOne(dir, o);
      const other = byDistrict.get(p.config.district.name);
      if (other) throw new FleetError('SF704', `${other.dir} and ${p.dir} both name district ${p.config.district.name}`, "a district is the fleet's tenant: give each project its own `district: name:`");
      byDistrict.set(p.config.district.name, p);
    } catch (e) {
      if (!(e instanceof FleetError) || !o.onProblem) throw e;
      o.onProblem(e);
    }
  }
  return byDistrict;
}


/** One project folder, or a FleetError saying why it cannot be served. */
function loadOne(dir: string, o: FleetProjectsOptions): Project {
  const opened = openProject(dir, o.registry);
  if (!opened.project || hasErrors(opened.diagnostics)) {
    const text = formatDiagnostics(opened.diagnostics, { color: false, ...(opened.source ? { sources: new Map([[opened.source.file, opened.source]]) } : {}) });
    throw new FleetError(opened.diagnostics[0]?.code ?? 'SF520', `${dir} cannot be served:\n${text}`);
  }
  const p = opened.project;
  if (!historyUrl({ ...(o.history ? { url: o.history } : {}), project: p })) {
    throw new FleetError('SF705', `${p.file}: district ${p.config.district.name} keeps its history in .sisflow/history.db; the workers of a fleet share one PostgreSQL history`, 'give `history: { url: postgres://… }` in its sisflow.yaml, or `--history URL`');
  }
  return p;
}

/**
 * A district's secrets on a worker: the folder `<SISFLOW_SECRETS_DIR>/<district>` when it exists
 * (one secrets folder per district), else the process's own (environment, SISFLOW_SECRETS_DIR).
 */
export function districtSecrets(district: string, env: NodeJS.ProcessEnv = process.env): SecretSource {
  const own = env.SISFLOW_SECRETS_DIR && join(env.SISFLOW_SECRETS_DIR, district);
  return own && existsSync(own) ? environmentSecrets({ ...env, SISFLOW_SECRETS_DIR: own }) : environmentSecrets(env);
}
