// Paths in specs are relative to a connection's folder and may not climb out of it.
import { isAbsolute, normalize, resolve, sep } from 'node:path';

/** Why a relative path is not acceptable, or undefined when it is. */
export function relativePathProblem(p: string): string | undefined {
  if (p.trim() === '') return 'the path is empty';
  if (isAbsolute(p) || /^[A-Za-z]:/.test(p)) return 'the path must be relative to the connection\'s `dir`';
  if (normalize(p).split(/[\\/]/).includes('..')) return 'the path may not leave the connection\'s `dir` (`..`)';
  if (p.includes('\0')) return 'the path contains a NUL character';
  return undefined;
}

export function resolveInside(baseDir: string, dir: string, p: string): string {
  const root = resolve(baseDir, dir);
  const full = resolve(root, p);
  if (full !== root && !full.startsWith(root + sep)) throw new Error(`${p} is outside ${dir}`);
  return full;
}
