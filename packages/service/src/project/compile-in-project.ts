// Compiles a spec as part of its project: the project's connections (with the selected profile's
// replacements) are there for the spec to use, and a profile may be the project's rather than the spec's.
import { compile, loadSpec, type CompileResult, type ConnectionSpec, type ConnectorRegistry } from '@sisflow/core';
import type { Project } from './open-project.js';
import { readSpecFile } from './read-spec-file.js';

export interface CompileOptions {
  registry: ConnectorRegistry;
  profile?: string;
  params?: Record<string, string>;
  today?: string;
}

export function compileSpecFile(file: string, project: Project | undefined, options: CompileOptions): CompileResult {
  const read = readSpecFile(file);
  if (!read.bytes) return { diagnostics: read.diagnostics };
  const { profile, ...rest } = options;
  return compile(read.bytes, file, { ...rest, ...projectOptions(read.bytes, file, project, profile) });
}

/** The shared connections, and whether the profile is left to the spec (it declares it) or the project's alone. */
function projectOptions(bytes: Uint8Array, file: string, project: Project | undefined, profile: string | undefined): { shared?: Record<string, ConnectionSpec>; profile?: string } {
  if (!project) return profile ? { profile } : {};
  const own = profile ? project.config.profiles?.[profile] : undefined;
  const shared = { ...(project.config.connections ?? {}), ...(own?.connections ?? {}) };
  if (!profile) return { shared };
  const specHasProfile = !!loadSpec(bytes, file).value?.spec.profiles?.[profile];
  // A profile only the project declares is the project's: the spec is compiled without one.
  return specHasProfile || !own ? { shared, profile } : { shared };
}
