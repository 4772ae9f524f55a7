// Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core: no browser is ever
// downloaded. Without it, tests skip with a warning — except in CI, where they fail.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.SISFLOW_CHROMIUM ?? '/usr/bin/chromium';

/** The browser, or undefined (after a warning) when there is none and this is not CI. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: scripts/ensure-packages.mjs installs Debian's chromium`);
    console.warn(`warning: ${CHROMIUM} is missing; the browser tests are skipped (run scripts/ensure-packages.mjs)`);
    return undefined;
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
