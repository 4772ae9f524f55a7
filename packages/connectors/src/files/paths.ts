// Paths in specs are relative to a connection's folder and may not climb out of it.
import { isAbsolute, normalize, resolve, sep } from 'node:path';

/** Why a relative path is not acceptable, or undefined when it is. */
export function relativePathProblem(p: string): string | undefined {
  if (p.trim() === '') return 'the path is empty';
  if (isAbsolute(p) || /^[A-Za-z]:/.test(p)) return 'the path must be relative to the connection\'s `dir`';
  if (normalize(p).split(/[\\/]/).includes('..')) return 'the path may not leave the connection\'s `dir` (`..`)';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(p)) return 'the path contains a control character (a line break, a tab, …)';
  return undefined;
}

/**
 * Checks a path again once `${env:…}` values are in it, at run time: the same rules as at validate,
 * so a value from the environment cannot climb out of the connection's folder either.
 */
export function checkRelativePath(p: string, what: string): string {
  const problem = relativePathProblem(p);
  if (problem) throw new Error(`${what} ${JSON.stringify(p)}: ${problem}`);
  return p;
}

export function resolveInside(baseDir: string, dir: string, p: string): string {
  checkRelativePath(p, 'path');
  const root = resolve(baseDir, dir);
  const full = resolve(root, p);
  if (full !== root && !full.startsWith(root + sep)) throw new Error(`${p} is outside ${dir}`);
  return full;
}
