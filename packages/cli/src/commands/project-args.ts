// Command arguments that may name a project folder: the folder stands for every spec it selects.
import { relative } from 'node:path';
import { hasErrors, type Diagnostic } from '@sisflow/core';
import { defaultRegistry } from '@sisflow/connectors/registry';
import { isProjectFolder, openProject } from '@sisflow/service/project';
import { printDiagnostics, type Out } from '../io.js';

/**
 * The spec files named by paths, folders expanded to their project's specs. A bad project file is
 * printed (or, when `collect` is given, added to it for JSON output) and gives undefined.
 */
export function specFiles(paths: string[], out: Out, collect?: Diagnostic[]): string[] | undefined {
  const files: string[] = [];
  let bad = false;
  for (const path of paths) {
    if (!isProjectFolder(path)) {
      files.push(path);
      continue;
    }
    const opened = openProject(path, defaultRegistry());
    if (collect) collect.push(...opened.diagnostics);
    else printDiagnostics(out, opened.diagnostics, opened.source?.file ?? path, opened.source);
    if (hasErrors(opened.diagnostics) || !opened.project) bad = true;
    else files.push(...opened.project.specs.map((f) => relative(process.cwd(), f) || f));
  }
  return bad ? undefined : files;
}
