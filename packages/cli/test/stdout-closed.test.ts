// `sisflow test spec.yaml | head -1`: when the reader of stdout goes away, sisflow stops without an
// unhandled EPIPE and its stack trace on stderr.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

for (const args of [['test', 'examples/destiny/patrons.yaml'], ['plan', 'examples/destiny/patrons.yaml', '--json']]) {
  test(`sisflow ${args.join(' ')} with its stdout closed by the reader prints no stack trace`, async () => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The reader leaves before sisflow prints its result (what `head` does once it has its lines).
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    assert.not.match(stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, stderr);
    assert.ok(code === 0 || code === 130, `exit code ${code}`);
  });
}

test.run();
