// The operator's screen, in the real app against the simulator: at the
// laptop, desk and 4K sizes and on the wall, the page fits the window with
// no scrolling, the map takes most of it, and the counters and the alert
// column are in view. Each screen is saved in e2e/artifacts/layout-*.png
// for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';

let browser;
let feed;
before(async () => {
  browser = await launchBrowser();
  // A router outage 5 s in, so that the alert column holds an alert.
  feed = await startFeed({ args: ['simulate', '--scenario', 'router-outage', '--scenario-every', '600'] });
});
after(async () => {
  await browser?.close();
  if (feed) await killFeed(feed);
});

/** What the screen shows, in CSS pixels (`null` for a part not drawn). */
function measure() {
  const box = (sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return r && { x: r.x, y: r.y, w: r.width, h: r.height };
  };
  const root = document.documentElement;
  return {
    w: innerWidth,
    h: innerHeight,
    scrollW: root.scrollWidth,
    scrollH: root.scrollHeight,
    canvas: box('[data-testid=map-canvas]'),
    alerts: box('[data-testid=alerts]'),
    firing: box('[data-testid=alert-list] li.state-firing'),
    counters: ['controller', 'router', 'identity'].map((t) => box(`[data-testid=${t}-online]`)),
    rem: parseFloat(getComputedStyle(root).fontSize),
    routerNum: parseFloat(getComputedStyle(document.querySelector('[data-testid=router-online]')).fontSize),
  };
}

const inside = (b, m) => b && b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.x + b.w <= m.w + 0.5 && b.y + b.h <= m.h + 0.5;

async function screen(name, width, height, query = '') {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${feed.url}/${query}`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  await page.locator('[data-testid=alert-list] li.state-firing').first().waitFor({ timeout: 30_000 });
  const m = await page.evaluate(measure);
  await page.screenshot({ path: path.join(ARTIFACTS, `layout-${name}.png`) });
  await page.close();
  assert.deepEqual(errors, []);
  const what = `${name}: ${JSON.stringify(m)}`;
  assert.ok(m.scrollH <= m.h && m.scrollW <= m.w, `the page does not scroll: ${what}`);
  assert.ok(inside(m.canvas, m), `the map is in view: ${what}`);
  const share = (m.canvas.w * m.canvas.h) / (m.w * m.h);
  assert.ok(share >= 0.6, `the map covers ${(100 * share).toFixed(1)}% of the window, at least 60%: ${what}`);
  assert.ok(inside(m.alerts, m) && inside(m.firing, m), `the alert column and its alert are in view: ${what}`);
  assert.ok(m.counters.every((c) => inside(c, m)), `every counter is in view: ${what}`);
  return m;
}

for (const [width, height] of [[1366, 768], [1600, 1000], [1920, 1080], [3840, 2160]]) {
  test(`one screen at ${width}×${height}: no scrolling, the map takes the space, counters and alerts in view`, async () => {
    await screen(`${width}x${height}`, width, height);
  });
}

test('the wall fits 1920×1080 and 3840×2160 exactly, at the same picture scaled', async () => {
  const hd = await screen('wall-1920x1080', 1920, 1080, '?wall');
  const uhd = await screen('wall-3840x2160', 3840, 2160, '?wall');
  // Sizes are in rem and the root follows the screen's height: twice the
  // pixels, twice the type, so it reads the same from 5 m.
  assert.ok(hd.rem >= 20, `type for 5 m on a 1080p wall: ${hd.rem}px`);
  assert.ok(Math.abs(uhd.rem / hd.rem - 2) < 0.05, `the 4K wall's type is twice the 1080p's: ${hd.rem} → ${uhd.rem}`);
  assert.ok(Math.abs(uhd.routerNum / hd.routerNum - 2) < 0.05, `and so are its counters: ${hd.routerNum} → ${uhd.routerNum}`);
});
