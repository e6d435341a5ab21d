// The topology map, in the real app against the real feed: screenshots at
// 50 and 2,000 nodes, a click on a router opens its drawer, and the URL
// deep link reopens the same node. The simulator names routers by opaque
// ids, as a controller does: a router is found by its name, and the drawer
// and the URL hold its id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';


let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

/** Opens the app on a feed simulating `routers` routers; resolves once live with every router counted. */
async function openLive(feed, routers, query = '', report = false) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  if (report) await page.addInitScript(() => { window.zitiscopeReport = true; });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${feed.url}/${query}`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=router-online]')?.textContent) + Number(document.querySelector('[data-testid=router-offline]')?.textContent) === n,
    routers, { timeout: 20_000 });
  return { page, errors };
}

/** Waits two animation frames, so the map has drawn what the store holds. */
const frames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('50 nodes: find a router, click it, see its drawer; the deep link reopens it', async () => {
  // 3 controllers + 47 routers; no random outages and no renames, so the
  // router stays put under its name. 4,000 identities: ~85 a router, more
  // than the identity list draws at once.
  const feed = await startFeed({ args: ['simulate', '--routers', '47', '--identities', '4000', '--outage-every', '0', '--renames-every', '0'] });
  try {
    // edge-eu-3's id, as the feed's store has it.
    const nodes = await (await fetch(`${feed.url}/nodes`)).json();
    const eu3 = nodes.find((n) => n.name === 'edge-eu-3').node.slice('router:'.length);
    assert.notEqual(eu3, 'edge-eu-3', 'an opaque id, not the name');
    const { page, errors } = await openLive(feed, 47);
    await frames(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-50-nodes.png') });

    // Search centres the node; a real click at the canvas centre selects it.
    await page.getByTestId('map-search').fill('edge-eu-3');
    await page.getByTestId('map-search').press('Enter');
    await page.getByTestId('drawer').waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Close details' }).click();
    assert.equal(await page.getByTestId('drawer').count(), 0);
    await frames(page);
    const box = await page.getByTestId('map-canvas').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('drawer').waitFor({ timeout: 5_000 });
    assert.equal(await page.getByTestId('drawer-id').textContent(), eu3);
    assert.equal(await page.getByTestId('drawer-name').textContent(), 'edge-eu-3');
    assert.match(await page.getByTestId('drawer-health').textContent(), /ok/);
    assert.equal(new URL(page.url()).searchParams.get('node'), `router:${eu3}`, 'the URL keeps the id');
    // Its story: how long it has been up, and its recent history.
    assert.match(await page.getByTestId('drawer-uptime').textContent(), /^up for \d/);
    assert.ok(await page.getByTestId('drawer-history').locator('li').count() >= 1, 'at least its first connection');
    // Its identities, in a list that renders only what is in view.
    await page.getByTestId('drawer-identities').click();
    const list = page.getByTestId('identity-list');
    await list.waitFor({ timeout: 5_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=identity-list] li').length > 0, null, { timeout: 5_000 });
    const total = Number(await list.locator('li').first().getAttribute('aria-setsize'));
    const drawn = await list.locator('li').count();
    assert.ok(total > 40, `the router has many identities (${total})`);
    assert.ok(drawn < total, `virtualised: ${drawn} of ${total} rows in the DOM`);
    assert.match(page.url(), /[?&]identities/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-drawer.png') });

    // The deep link, in a fresh page.
    const link = page.url();
    const again = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await again.goto(link);
    await again.getByTestId('drawer').waitFor({ timeout: 20_000 });
    assert.equal(await again.getByTestId('drawer-id').textContent(), eu3);
    assert.equal(await again.getByTestId('drawer-name').textContent(), 'edge-eu-3');
    await again.getByTestId('identity-list').waitFor({ timeout: 5_000 });

    // The list mirrors the map, and survives a reload through the URL.
    await again.getByTestId('show-list').click();
    await again.getByTestId('network-table').waitFor();
    assert.match(again.url(), /[?&]view=list/);
    await again.reload();
    await again.getByTestId('network-table').waitFor({ timeout: 20_000 });
    await again.waitForFunction(() => document.querySelectorAll('tr.node-row').length === 50, null, { timeout: 20_000 });
    await again.close();
    // Find speaks the filter language; "only matches" hides the rest, which
    // can no longer be clicked. edge-eu-3 is still at the canvas centre.
    await page.getByRole('button', { name: 'Close details' }).click();
    const find = page.getByTestId('map-search');
    await find.fill('type=router AND name$=eu-3');
    await find.press('Enter');
    await page.getByTestId('drawer').waitFor({ timeout: 5_000 });
    assert.equal(await page.getByTestId('drawer-id').textContent(), eu3);
    await page.getByRole('button', { name: 'Close details' }).click();
    await find.fill('name=edge-eu-2');
    await page.getByTestId('map-only-matches').check();
    assert.match(page.url(), /[?&]find=name%3Dedge-eu-2/);
    assert.match(page.url(), /[?&]only/);
    await frames(page);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await frames(page);
    assert.equal(await page.getByTestId('drawer').count(), 0, 'a hidden node is not there to click');
    await page.getByTestId('map-only-matches').uncheck();
    await frames(page);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('drawer').waitFor({ timeout: 5_000 });
    assert.equal(await page.getByTestId('drawer-id').textContent(), eu3, 'shown again, clickable again');
    await find.fill('');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});

/** What the map drew last (`window.zitiscopeMap`, set when `zitiscopeReport` is). */
const drawn = (page) => page.evaluate(() => window.zitiscopeMap);

/** Waits until `ok(arg)`, run in the page, holds (it reads `window.zitiscopeMap`). */
const drawnUntil = (page, ok, arg) => page.waitForFunction(ok, arg, { timeout: 10_000 });

test('40 routers: every name is drawn; a group collapses to one tile and opens again', async () => {
  const feed = await startFeed({ args: ['simulate', '--routers', '40', '--outage-every', '0', '--renames-every', '0'] });
  try {
    const nodes = await (await fetch(`${feed.url}/nodes`)).json();
    const names = nodes.map((n) => n.name).sort();
    assert.equal(names.length, 43, '3 controllers and 40 routers');
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.addInitScript(() => { window.zitiscopeReport = true; });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(feed.url);
    // Every node's name is placed (the core's label placement, as the app reports it).
    await drawnUntil(page, (names) => names.every((n) => window.zitiscopeMap?.labels.includes(n)), names);
    const m = await drawn(page);
    assert.equal(m.labels.length, names.length, `no name twice: ${m.labels}`);
    assert.ok(m.groups.length >= 4, `the routers are in groups: ${JSON.stringify(m.groups)}`);
    assert.ok(m.groups.every((g) => !g.collapsed), 'a small network starts open');
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-40-routers-labelled.png') });

    // A click on a group's header collapses it: its routers are no longer
    // drawn (nor named), its tile shows its count.
    const eu = m.groups.find((g) => g.group === 'eu');
    const euNames = names.filter((n) => n.startsWith('edge-eu-'));
    assert.ok(eu && euNames.length > 0, JSON.stringify(m.groups));
    const canvas = await page.getByTestId('map-canvas').boundingBox();
    await page.mouse.click(canvas.x + eu.header.x + 20, canvas.y + eu.header.y + eu.header.h / 2);
    await drawnUntil(page, (n) => { const m = window.zitiscopeMap; return m.groups.find((g) => g.group === 'eu').collapsed && !m.labels.some((l) => n.includes(l)); }, euNames);
    const collapsed = (await drawn(page)).groups.find((g) => g.group === 'eu');
    assert.match(collapsed.counts, new RegExp(`^${euNames.length}\\b`));
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-40-routers-eu-collapsed.png') });
    // A click on the tile opens it again, names and all.
    await page.mouse.click(canvas.x + collapsed.tile.x + collapsed.tile.w / 2, canvas.y + collapsed.tile.y + collapsed.tile.h / 2);
    await drawnUntil(page, (n) => { const m = window.zitiscopeMap; return !m.groups.find((g) => g.group === 'eu').collapsed && n.every((l) => m.labels.includes(l)); }, euNames);
    // The toolbar collapses and opens them all.
    await page.getByTestId('map-collapse-all').click();
    await drawnUntil(page, () => { const m = window.zitiscopeMap; return m.groups.every((g) => g.collapsed) && m.labels.length === 3; });
    await page.getByTestId('map-expand-all').click();
    await drawnUntil(page, (n) => { const m = window.zitiscopeMap; return m.groups.every((g) => !g.collapsed) && m.labels.length === n; }, names.length);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});

test('a dragged router stays pinned across a reload, travels in a layout file to another browser, and resets', async () => {
  const feed = await startFeed({ args: ['simulate', '--routers', '40', '--outage-every', '0', '--renames-every', '0'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.addInitScript(() => { window.zitiscopeReport = true; });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    const where = () => page.evaluate(() => window.zitiscopeMap.at['edge-eu-3']);
    const near = (a, b, what) => assert.ok(Math.abs(a.mx - b.mx) < 1 && Math.abs(a.my - b.my) < 1, `${what}: ${JSON.stringify([a, b])}`);
    await page.goto(feed.url);
    await drawnUntil(page, () => !!window.zitiscopeMap?.at['edge-eu-3']);
    const slot = await where();
    // Drag it 160 px right and 90 px down, in steps, as a hand does.
    const canvas = await page.getByTestId('map-canvas').boundingBox();
    await page.mouse.move(canvas.x + slot.x, canvas.y + slot.y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(canvas.x + slot.x + 20 * i, canvas.y + slot.y + 11.25 * i);
    await page.mouse.up();
    await drawnUntil(page, (x) => Math.abs(window.zitiscopeMap.at['edge-eu-3'].x - x) > 100, slot.x);
    const pinned = await where();
    assert.ok(Math.abs(pinned.x - slot.x - 160) < 2 && Math.abs(pinned.y - slot.y - 90) < 2, `it went where it was dropped: ${JSON.stringify([slot, pinned])}`);
    assert.equal(await page.getByTestId('drawer').count(), 0, 'a drag is not a click');

    // A reload: it is where it was put (in map units: the fit may differ).
    await page.reload();
    await drawnUntil(page, () => !!window.zitiscopeMap?.at['edge-eu-3']);
    near(await where(), pinned, 'pinned across the reload');

    // Exported, and imported into another browser (its own storage): the same place.
    await page.getByTestId('map-layout-menu').locator('summary').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('map-layout-export').click()]);
    const file = path.join(ARTIFACTS, 'layout-export.json');
    await download.saveAs(file);
    const other = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const wall = await other.newPage();
    await wall.addInitScript(() => { window.zitiscopeReport = true; });
    await wall.goto(feed.url);
    await drawnUntil(wall, () => !!window.zitiscopeMap?.at['edge-eu-3']);
    near(await wall.evaluate(() => window.zitiscopeMap.at['edge-eu-3']), slot, 'the other browser starts from the slots');
    await wall.getByTestId('map-layout-menu').locator('summary').click();
    await wall.getByTestId('map-layout-import').setInputFiles(file);
    await wall.getByTestId('map-layout-said').filter({ hasText: '1 nodes pinned' }).waitFor({ timeout: 5_000 });
    await drawnUntil(wall, (p) => Math.abs(window.zitiscopeMap.at['edge-eu-3'].mx - p.mx) < 1, pinned);
    // A file that is not a layout changes nothing, and says so.
    await wall.getByTestId('map-layout-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"nodes":{"router:x":[1e99,0]}}') });
    await wall.getByTestId('map-layout-said').filter({ hasText: 'not imported' }).waitFor({ timeout: 5_000 });
    near(await wall.evaluate(() => window.zitiscopeMap.at['edge-eu-3']), pinned, 'still pinned');
    await other.close();

    // Reset: back in its slot, and it stays there after a reload.
    await page.getByTestId('map-layout-reset').click();
    await drawnUntil(page, (p) => Math.abs(window.zitiscopeMap.at['edge-eu-3'].mx - p.mx) < 1, slot);
    await page.reload();
    await drawnUntil(page, () => !!window.zitiscopeMap?.at['edge-eu-3']);
    near(await where(), slot, 'reset for good');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await killFeed(feed);
  }
});

test('2,000 nodes: the whole network is drawn', async () => {
  const feed = await startFeed({ args: ['simulate', '--routers', '1997', '--identities', '20000', '--rate', '1000'] });
  try {
    const { page, errors } = await openLive(feed, 1997, '', true);
    await frames(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-2000-nodes.png') });
    // A network this big starts as its groups' tiles, each with its count.
    const m = await drawn(page);
    assert.ok(m.groups.length >= 4 && m.groups.every((g) => g.collapsed), JSON.stringify(m.groups));
    const total = m.groups.reduce((n, g) => n + Number(g.counts.split(' ')[0]), 0);
    assert.equal(total, 1997, 'the tiles count every router');
    await page.getByTestId('map-expand-all').click();
    await drawnUntil(page, () => window.zitiscopeMap.groups.every((g) => !g.collapsed));
    await frames(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-2000-nodes-open.png') });
    // Something was drawn: the canvas is not one flat colour.
    const distinct = await page.getByTestId('map-canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length && seen.size < 8; i += 4 * 97) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
      return seen.size;
    });
    assert.ok(distinct >= 3, `the map shows nodes and edges (${distinct} colours sampled)`);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});
