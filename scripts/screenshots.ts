// Regenerates the console screenshots in docs/console/ (`pnpm run screenshots`): a district seeded
// with real runs (published, held by its guard, failed, and a failed run started with "run now"), served by the console, photographed by
// Debian's Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../packages/console/test/browser.js';
import { servedConsole, signIn } from '../packages/console/test/console-server.js';
import { ADMIN_TOKEN, seededDistrict } from '../packages/console/test/seeded-district.js';

const DOCS = fileURLToPath(new URL('../docs/console/', import.meta.url));

const browser = await launchChromium();
if (!browser) process.exit(1);
const c = await servedConsole({ seeded: await seededDistrict({ district: 'Demo Unified School District' }) });
try {
  // A run started with "run now" by a signed-in admin (the roster's SQL Server refuses it: failed).
  const ended = c.next('run-end');
  const why = c.scheduler.runNow('roster', 'Dana Reyes');
  if (why) throw new Error(why);
  const runNow = await ended;
  mkdirSync(DOCS, { recursive: true });
  const signedIn = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const session = await signIn(c.console.url, ADMIN_TOKEN, 'Dana Reyes');
  const [name, value] = session.cookie.split('=') as [string, string];
  await signedIn.addCookies([{ name, value, url: c.console.url }]);
  const signedOut = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const shots: [string, string, typeof signedIn][] = [
    ['overview', '/', signedOut],
    ['integration', '/d/1/specs/destiny-patrons', signedOut],
    ['run', `/d/1/runs/${c.ok.id}`, signedOut],
    ['held-run', `/d/1/runs/${c.held.id}`, signedIn],
    ['held', '/held', signedOut],
    ['run-now', `/d/1/runs/${runNow.type === 'run-end' ? runNow.record.id : ''}`, signedOut],
    ['login', '/login', signedOut],
  ];
  for (const [file, path, context] of shots) {
    const page = await context.newPage();
    await page.goto(`${c.console.url}${path}`);
    await page.screenshot({ path: join(DOCS, `${file}.png`), fullPage: true });
    console.log(`docs/console/${file}.png`);
    await page.close();
  }
} finally {
  await browser.close();
  await c.stop();
}
