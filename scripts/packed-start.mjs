#!/usr/bin/env node
// The start of the packed `sisflow` command (scripts/pack-cli.mjs bundles this file into
// dist/sisflow.cjs, a CommonJS script: see there). A package packed with --bundle-native carries native modules built for one
// platform, CPU and Node ABI; on another machine they cannot load, so this says so, in words, before
// the CLI loads any of them. Then it starts the CLI (dist/cli.cjs, or for a checking verb the
// smaller dist/cli-check.cjs) through V8's code cache. dist/sisflow, the command's launcher, runs
// this file, or for a checking verb the start-up snapshot made after a first run (scripts/sisflow.sh).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBundleFor } from '../packages/cli/src/compile-cache.ts';
import { buildSnapshot, buildSnapshotAtExit, snapshotBuildJob, snapshotRequest } from '../packages/cli/src/snapshot-build.ts';

// Started by an earlier run to make the checking verbs' start-up snapshot (snapshot-build.ts): that only.
const job = snapshotBuildJob();
if (job) {
  buildSnapshot(job);
  process.exit(0);
}

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const built = manifest.sisflow?.bundledNative;
if (built) {
  const here = { platform: process.platform, arch: process.arch, libc: libc(), abi: process.versions.modules, node: process.versions.node };
  const differs = ['platform', 'arch', 'libc', 'abi'].filter((k) => built[k] !== here[k]);
  if (differs.length > 0) {
    const describe = (m) => `${m.platform}-${m.arch}${m.libc ? ` (${m.libc})` : ''}, Node ${m.node} (module ABI ${m.abi})`;
    process.stderr.write(
      `sisflow: this package was packed with --bundle-native for ${describe(built)}; this machine is ${describe(here)}.\n` +
        `  Its native modules (better-sqlite3, ssh2) were built for that machine only and cannot load here.\n` +
        `  hint: install the portable package instead (\`pnpm pack:cli\`, then \`npm install -g\` it: npm fetches the native modules for this machine),\n` +
        `  or pack with --bundle-native on a machine like this one; see docs/install.md\n`,
    );
    process.exit(1);
  }
}
// dist/sisflow (the launcher) asks for the snapshot when this package and node have none yet.
const wanted = snapshotRequest(fileURLToPath(new URL('./cli-snapshot.cjs', import.meta.url)));
if (wanted) buildSnapshotAtExit(wanted, fileURLToPath(import.meta.url));
if (!startBundleFor(fileURLToPath(new URL('./cli.cjs', import.meta.url)), fileURLToPath(new URL('./cli-check.cjs', import.meta.url)))) {
  process.stderr.write('sisflow: this installation is damaged (dist/cli.cjs is missing or unreadable); install the package again\n');
  process.exit(1);
}

/**
 * glibc or musl on Linux (prebuilt native modules differ), nothing elsewhere. The system's `ldd`
 * says which (as detect-libc reads it); only when it does not, Node's report, which takes tens of
 * milliseconds to make.
 */
function libc() {
  if (process.platform !== 'linux') return undefined;
  try {
    const ldd = readFileSync('/usr/bin/ldd', 'latin1');
    if (ldd.includes('musl')) return 'musl';
    if (ldd.includes('GNU C Library') || ldd.includes('GLIBC')) return 'glibc';
  } catch {
    // no ldd: ask Node
  }
  return process.report?.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
}
