// Part of `pnpm test`: the tests talk to real servers and a real browser from Debian's packages
// (OpenSSH sshd for SFTP, redis-server and PostgreSQL for fleet mode, Chromium for the console).
// Whatever is missing is installed in one apt-get call (as root, or through passwordless sudo);
// where that is impossible, say so. The tests that need a missing part then fail in CI (CI=true)
// and are skipped with a warning elsewhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const postgresBinaries = () => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root).map((version) => `${root}/${version}/bin/postgres`);
};

/** Debian package → the files, any one of which shows it is installed. */
const wanted = [
  { pkg: 'openssh-server', files: () => ['/usr/sbin/sshd', '/usr/bin/sshd'], for: 'the SFTP tests' },
  { pkg: 'redis-server', files: () => ['/usr/bin/redis-server'], for: 'the fleet tests' },
  { pkg: 'postgresql', files: postgresBinaries, for: 'the PostgreSQL history tests' },
  { pkg: 'chromium', files: () => ['/usr/bin/chromium'], for: 'the console browser tests' },
];

const present = (w) => w.files().some((p) => existsSync(p));
const missing = wanted.filter((w) => !present(w));

if (missing.length > 0) {
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (existsSync('/usr/bin/apt-get') && (root || sudo)) {
    const run = (args) =>
      execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    const names = missing.map((w) => w.pkg);
    console.log(`installing ${names.join(', ')} for the tests (apt-get)…`);
    const lock = ['-o', 'DPkg::Lock::Timeout=600'];
    run(['apt-get', ...lock, 'update', '-qq']);
    run(['apt-get', ...lock, 'install', '-y', '-qq', '--no-install-recommends', ...names]);
  }
  for (const w of wanted.filter((w) => !present(w))) {
    console.warn(`warning: ${w.pkg} is not installed and could not be installed here; ${w.for} will not run`);
  }
}
