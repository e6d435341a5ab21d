// Attention for an unattended wall, in the real app against the simulator's
// router outage: the router that lost its controllers calls for attention
// on the map (it blinks) and is marked as changed lately; at a desk the map
// stays where it is, on the wall it pans to the router; an ack at the desk
// turns the call into an ack mark on both screens (the feed shares it).
// What the map drew is read from its report (`window.zitiscopeMap`), not
// from pixels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';

let browser;
let feed;
before(async () => {
  browser = await launchBrowser();
  // 5 s in, one edge router loses its controllers; it returns 20 s later.
  const history = path.join(mkdtempSync(path.join(os.tmpdir(), 'zitiscope-attention-')), 'history.db');
  feed = await startFeed({ args: ['--history', history, 'simulate', '--scenario', 'router-outage', '--scenario-every', '120', '--routers', '12', '--identities', '600'] });
});
after(async () => {
  await browser?.close();
  if (feed) await killFeed(feed);
});

async function open(query, width, height) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.addInitScript(() => { window.zitiscopeReport = true; });
  await page.goto(`${feed.url}/${query}`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => window.zitiscopeMap?.labels.length > 0, null, { timeout: 10_000 });
  return { page, errors };
}

const report = (page) => page.evaluate(() => window.zitiscopeMap);

test('the router that went down calls for attention until acked; the wall pans to it, the desk does not', async () => {
  const desk = await open('', 1366, 768);
  const before = await report(desk.page);
  await desk.page.locator('[data-testid=alert-list] li.state-firing').first().waitFor({ timeout: 30_000 });
  const subject = await desk.page.locator('[data-testid=alert-list] li.state-firing').first().getAttribute('data-subject');
  const node = `router:${subject}`;
  await desk.page.waitForFunction((n) => window.zitiscopeMap.calls.includes(n), node, { timeout: 5_000 });
  const calling = await report(desk.page);
  assert.deepEqual(calling.acked, []);
  assert.ok(calling.changed.includes(node), `its state changed lately: ${calling.changed}`);
  assert.equal(calling.scale, before.scale, 'at a desk the map does not move by itself');
  await desk.page.screenshot({ path: path.join(ARTIFACTS, 'attention-desk-calls.png') });

  // The wall (a page of its own) pans to it.
  const wall = await open('?wall', 1920, 1080);
  const names = await (await fetch(`${feed.url}/nodes`)).json();
  const name = names.find((n) => n.node === node).name;
  await wall.page.waitForFunction((n) => window.zitiscopeMap.calls.includes(n), node, { timeout: 5_000 });
  const box = await wall.page.getByTestId('map-canvas').boundingBox();
  await wall.page.waitForFunction(([name, w, h]) => {
    const at = window.zitiscopeMap.at[name];
    return at && Math.abs(at.x - w / 2) < 2 && Math.abs(at.y - h / 2) < 2;
  }, [name, box.width, box.height], { timeout: 5_000 });
  await wall.page.screenshot({ path: path.join(ARTIFACTS, 'attention-wall-follows.png') });

  // An ack at the desk: the call becomes an ack mark there, and on the wall.
  const row = desk.page.locator('[data-testid=alert-list] li.state-firing').first();
  await row.getByTestId('ack').click();
  await row.getByTestId('ack-send').click();
  for (const { page } of [desk, wall]) {
    await page.waitForFunction((n) => !window.zitiscopeMap.calls.includes(n) && window.zitiscopeMap.acked.includes(n), node, { timeout: 5_000 });
  }
  await desk.page.screenshot({ path: path.join(ARTIFACTS, 'attention-desk-acked.png') });
  // The router returns: nothing calls, nothing is acked, it is still marked as changed.
  await desk.page.waitForFunction((n) => {
    const m = window.zitiscopeMap;
    return m.calls.length === 0 && m.acked.length === 0 && m.changed.includes(n);
  }, node, { timeout: 40_000 });
  for (const { page, errors } of [desk, wall]) {
    assert.deepEqual(errors, []);
    await page.close();
  }
});
