// Where the examples `init` and `demo` start from: the checkout's examples/ (run from the
// sources or packages/cli/dist), or the copy packed beside the single-file build of an installed
// `sisflow` (<package>/examples, next to <package>/dist/sisflow.cjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PLACES = [new URL('../examples/', import.meta.url), new URL('../../../examples/', import.meta.url)];

/** The path of an example file, e.g. `destiny/patrons.yaml`. */
export function examplePath(file: string): string {
  const urls = PLACES.map((base) => new URL(file, base));
  return fileURLToPath(urls.find((u) => existsSync(u)) ?? urls[1]!);
}
