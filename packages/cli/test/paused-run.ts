// Shared by the kill tests: `sisflow run` processes that stop themselves at a named instant
// (SISFLOW_TEST_PAUSE), so a test kills or interrupts them exactly there, never after a guessed delay.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Starts `sisflow run SPEC` that stops itself at `point`; resolves once it says it has. */
export async function pausedRun(spec: string, point: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'run', spec], { env: { ...env, NO_COLOR: '1', SISFLOW_TEST_PAUSE: point }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`paused at ${point}`)) resolve();
    });
    child.on('exit', (code, signal) => reject(new Error(`the run ended (${code ?? signal}) before it paused at ${point}:\n${err}`)));
  });
  return child;
}

/**
 * Resolves once the paused process has really stopped itself: it prints its line just before
 * SIGSTOP, and a SIGCONT sent in between would be lost. Waits on the process's state, not a time.
 */
export async function stopped(child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (/^\d+ \(.*\) T /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${child.pid} ended before it stopped`);
}

/** The exit code of a child, once it has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.on('exit', (code) => r(code))));
}

export async function kill(child: ChildProcess): Promise<void> {
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}
