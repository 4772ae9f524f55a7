// Part of `pnpm test`: the SFTP tests need a real OpenSSH sshd. When it is missing, install
// Debian's openssh-server (as root, or through passwordless sudo); otherwise say why not. The
// SFTP tests then fail in CI (CI=true) and are skipped with a warning elsewhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const present = () => ['/usr/sbin/sshd', '/usr/bin/sshd'].some((p) => existsSync(p));

if (!present()) {
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  const aptGet = existsSync('/usr/bin/apt-get');
  if (aptGet && (root || sudo)) {
    const run = (args) => execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    console.log('installing openssh-server for the SFTP tests (apt-get)…');
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'openssh-server']);
  }
  if (!present()) console.warn('warning: OpenSSH sshd is not installed and could not be installed here; the SFTP tests against a real sshd will not run');
}
