// Reading a spec file: its bytes, or an SF100 diagnostic saying why it cannot be read.
import { readFileSync } from 'node:fs';
import { diagnostic, type Diagnostic } from '@sisflow/core';

export function readSpecFile(path: string): { bytes?: Uint8Array; diagnostics: Diagnostic[] } {
  try {
    return { bytes: readFileSync(path), diagnostics: [] };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { diagnostics: [diagnostic('SF100', `cannot read ${path}: ${why}`, { hint: 'give the path of a .yaml spec' })] };
  }
}
