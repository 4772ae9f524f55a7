// A project folder: `sisflow.yaml` (district, shared connections and profiles, alert channels,
// history and serve settings) and the spec files its globs select.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { diagnostic, loadProject, type ConnectorRegistry, type Diagnostic, type ProjectFile, type SourceText } from '@sisflow/core';

export const PROJECT_FILE = 'sisflow.yaml';
/** Default spec globs: every YAML file below the project folder. */
const DEFAULT_SPECS = ['**/*.yaml', '**/*.yml'];

export interface Project {
  /** The project folder (absolute). */
  dir: string;
  /** Its sisflow.yaml. */
  file: string;
  config: ProjectFile;
  /** Absolute paths of its specs, sorted. */
  specs: string[];
}

export interface OpenedProject {
  project?: Project;
  diagnostics: Diagnostic[];
  /** The project file's text, for code frames. */
  source?: SourceText;
}

export function isProjectFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export function openProject(folder: string, registry: ConnectorRegistry): OpenedProject {
  const dir = resolve(folder);
  const file = join(dir, PROJECT_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      diagnostics: [
        diagnostic(missing ? 'SF520' : 'SF600', missing ? `${folder} is not a sisflow project: it has no ${PROJECT_FILE}` : `cannot read ${file}: ${(e as Error).message}`, {
          hint: missing ? 'give a spec file, or write a sisflow.yaml with `sisflow_project: 1` and a `district:` (docs/operations.md)' : undefined,
        }),
      ],
    };
  }
  const loaded = loadProject(bytes, file, registry);
  const base = loaded.source ? { source: loaded.source } : {};
  if (!loaded.project) return { diagnostics: loaded.diagnostics, ...base };
  const { specs, diagnostics } = findSpecs(dir, loaded.project.specs);
  return { project: { dir, file, config: loaded.project, specs }, diagnostics: [...loaded.diagnostics, ...diagnostics], ...base };
}

/** The project a spec file belongs to: the nearest folder above it with a sisflow.yaml whose globs select it. */
export function projectOfSpec(specFile: string, registry: ConnectorRegistry): OpenedProject | undefined {
  const spec = resolve(specFile);
  for (let dir = dirname(spec); ; dir = dirname(dir)) {
    if (existsSync(join(dir, PROJECT_FILE))) {
      const opened = openProject(dir, registry);
      if (!opened.project || opened.project.specs.includes(spec)) return opened;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function findSpecs(dir: string, globs: string[] | undefined): { specs: string[]; diagnostics: Diagnostic[] } {
  const files = walk(dir).map((f) => relative(dir, f).split(sep).join('/'));
  const diagnostics: Diagnostic[] = [];
  const found = new Set<string>();
  for (const glob of globs ?? DEFAULT_SPECS) {
    const match = picomatch(glob);
    const hits = files.filter((f) => f !== PROJECT_FILE && match(f));
    if (hits.length === 0 && globs) diagnostics.push(diagnostic('SF608', `\`${glob}\` in ${PROJECT_FILE} matches no file`, { hint: 'globs are relative to the project folder, e.g. `destiny/*.yaml`' }));
    for (const h of hits) found.add(join(dir, h));
  }
  return { specs: [...found].sort(), diagnostics };
}

/** Every file below dir, skipping dot folders (.sisflow, .git) and node_modules. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
