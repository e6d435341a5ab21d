// Screenshots for a person to look at (not a test): the release app on the
// simulator, as `make run` starts it (the feed lists the simulated
// controller's management API too), at 1366×768, 1920×1080 and on the wall
// (`?wall`, 1920×1080). `node e2e/screens.mjs` after `make build feed`;
// the PNGs go to e2e/artifacts/screens-*.png.
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, killFeed, startFeed } from './feed.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 12_000);

// The same command as `make run`, on a port of its own (the client needs
// the address before the feed starts).
const port = Number(process.env.PORT ?? 18_000 + (process.pid % 1000));
const self = await startFeed({ listen: `127.0.0.1:${port}`, args: ['--controller', `http://127.0.0.1:${port}`] });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  for (const [name, width, height, query] of [
    ['1366x768', 1366, 768, ''],
    ['1920x1080', 1920, 1080, ''],
    ['wall', 1920, 1080, '?wall'],
  ]) {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${self.url}/${query}`);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    // Let the simulated story run: churn, an outage now and then, renames.
    await page.waitForTimeout(SETTLE_MS);
    const file = path.join(ARTIFACTS, `screens-${name}.png`);
    await page.screenshot({ path: file });
    console.log(file);
    await page.close();
  }
} finally {
  await browser.close();
  await killFeed(self);
}
