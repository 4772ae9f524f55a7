// Whether a process on this machine is still running: how leftovers of killed runs (temporary
// files, spools) are told apart from those of runs still going.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
