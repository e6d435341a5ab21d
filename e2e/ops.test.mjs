// The NOC's shared alert state, in the real app against the real feed:
// an ack made with a comment in one browser shows in another at once, and
// after reloading both and restarting the feed; a maintenance window over
// the simulator's router outage keeps its alert from firing, marks the
// router on the map, and leaves the outage out of the report; the wall's
// playlist rotates, holds on a new critical, and goes on once it is acked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, until, ARTIFACTS } from './feed.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const tmp = (name) => mkdtempSync(path.join(os.tmpdir(), `zitiscope-${name}-`));

/** A page in a browser context of its own (its own storage: another machine). */
async function open(url, width = 1366, height = 768) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.addInitScript(() => { window.zitiscopeReport = true; });
  await page.goto(url);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  return { page, context, errors };
}

/** A controller's router events: three routers online ten minutes ago, one offline five minutes ago. */
function routerLog(file) {
  const at = (agoS) => new Date(Date.now() - agoS * 1000).toISOString();
  const ev = (id, online, agoS) => JSON.stringify({
    namespace: 'router', timestamp: at(agoS), event_src_id: 'ctrl1',
    event_type: online ? 'router-online' : 'router-offline', router_id: id, router_online: online,
  });
  const lines = ['Kx7pWq2mRa', 'Zq9vB3nT1c', 'Lm4cY8dHs0'].map((id) => ev(id, true, 600));
  lines.push(ev('Kx7pWq2mRa', false, 300));
  writeFileSync(file, lines.join('\n') + '\n');
}

test('an ack with a comment in one browser shows in another at once, after reloads and after a feed restart', async () => {
  const dir = tmp('ops-ack');
  const log = path.join(dir, 'events.jsonl');
  routerLog(log);
  const args = ['--history', path.join(dir, 'history.db'), 'file', log, '--from-start'];
  let feed = await startFeed({ args });
  const desk = await open(`${feed.url}/`);
  const other = await open(`${feed.url}/`, 1920, 1080);
  const row = (p) => p.page.locator('[data-testid=alert-list] li[data-subject=Kx7pWq2mRa][data-rule=router-down]');
  await row(desk).waitFor({ timeout: 20_000 });
  await row(other).waitFor({ timeout: 20_000 });
  assert.equal(await row(other).getByTestId('alert-ack').count(), 0, 'not acked yet');

  // The desk acks as its operator (a personal setting, in sight in the
  // ack's form) with a comment.
  await row(desk).getByTestId('ack').click();
  const name = row(desk).getByTestId('ack-by');
  assert.equal(await name.inputValue(), 'this browser', 'the name it would ack as is in sight');
  await name.fill('ana (desk 2)');
  await name.evaluate((el) => el.dispatchEvent(new Event('change', { bubbles: true })));
  const comment = 'PSU swap <b>in progress</b>, back by 16:00';
  await row(desk).getByTestId('ack-comment').fill(comment);
  const sent = Date.now();
  await row(desk).getByTestId('ack-send').click();
  const acked = (p) => row(p).getByTestId('alert-ack').filter({ hasText: 'acked by ana (desk 2)' }).filter({ hasText: comment });
  await acked(other).waitFor({ timeout: 5_000 });
  const took = Date.now() - sent;
  console.log(`the ack reached the other browser in ${took} ms`);
  assert.ok(took < 1_000, `within a second (${took} ms)`);
  await acked(desk).waitFor({ timeout: 5_000 });
  assert.equal(await row(other).locator('b').count(), 0, 'the comment is text, never markup');
  assert.equal(await row(other).getByTestId('ack').count(), 0, 'nothing left to ack');
  // The other screen's map shows it acked, not calling.
  await other.page.waitForFunction(() => window.zitiscopeMap?.acked.includes('router:Kx7pWq2mRa'), null, { timeout: 5_000 });
  await other.page.screenshot({ path: path.join(ARTIFACTS, 'ops-acked-other-browser.png') });
  // Only personal settings are kept in the browser.
  const kept = await desk.page.evaluate(() => localStorage.getItem('zitiscope.prefs'));
  assert.ok(kept.includes('ana (desk 2)') && !kept.includes('Kx7pWq2mRa'), kept);

  // Reload both: still acked.
  for (const p of [desk, other]) {
    await p.page.reload();
    await acked(p).waitFor({ timeout: 20_000 });
  }
  // Restart the feed (on the same port): still acked, from its history.
  await killFeed(feed);
  for (const p of [desk, other]) {
    await p.page.getByTestId('feed-status').filter({ hasNotText: 'live' }).waitFor({ timeout: 20_000 });
  }
  feed = await startFeed({ listen: feed.hostPort, args });
  for (const p of [desk, other]) {
    await p.page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    await acked(p).waitFor({ timeout: 20_000 });
    // A page that knew nothing before: all it shows is the new feed's.
    await p.page.reload();
    await acked(p).waitFor({ timeout: 20_000 });
  }
  for (const p of [desk, other]) {
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
  await killFeed(feed);
});

test('a maintenance window over a router outage: nothing fires, the router is marked, the report leaves it out', async () => {
  const dir = tmp('ops-maintenance');
  const started = Date.now();
  // 5 s in, one edge router loses its controllers; it returns 20 s later.
  const feed = await startFeed({ args: ['--history', path.join(dir, 'history.db'), 'simulate', '--scenario', 'router-outage', '--scenario-every', '120', '--routers', '12', '--identities', '600'] });
  const window = {
    name: 'firmware upgrade',
    when: { kind: 'once', from: new Date(started - 60_000).toISOString(), to: new Date(started + 600_000).toISOString() },
    scope: { filter: 'name=*' },
  };
  const made = await fetch(`${feed.url}/maintenance`, { method: 'POST', body: JSON.stringify(window) });
  assert.equal(made.status, 201, await made.text());
  const desk = await open(`${feed.url}/`);
  const wall = await open(`${feed.url}/?wall`, 1920, 1080);
  const quiet = desk.page.locator('[data-testid=alert-list] li.in-maintenance[data-rule=router-down]');
  await quiet.waitFor({ timeout: 30_000 });
  const subject = await quiet.getAttribute('data-subject');
  const node = `router:${subject}`;
  assert.match(await desk.page.getByTestId('alert-counts').textContent(), /^0 firing .* 1 in maintenance$/);
  assert.match(await quiet.getByTestId('alert-maintenance').textContent(), /firmware upgrade/);
  assert.equal(await desk.page.getByTestId('toasts').locator('.toast').count(), 0, 'no toast');
  for (const p of [desk, wall]) {
    await p.page.waitForFunction((n) => window.zitiscopeMap?.maintenance.includes(n), node, { timeout: 10_000 });
    const m = await p.page.evaluate(() => window.zitiscopeMap);
    assert.ok(!m.calls.includes(node), 'it does not call for attention');
    assert.equal(await p.page.title(), 'zitiscope', 'nothing firing in the title');
  }
  // The window on the time bar.
  await desk.page.getByTestId('travel-maintenance').filter({ hasText: 'firmware upgrade' }).waitFor({ timeout: 5_000 });
  assert.ok(await desk.page.getByTestId('travel-maintenance-span').count() >= 1);
  await desk.page.screenshot({ path: path.join(ARTIFACTS, 'ops-maintenance-desk-1366x768.png') });
  await wall.page.screenshot({ path: path.join(ARTIFACTS, 'ops-maintenance-wall.png') });

  // After it came back: the report leaves the outage out, and says so.
  await desk.page.locator(`[data-testid=alert-list] li.state-resolved[data-subject="${subject}"]`).waitFor({ timeout: 40_000 });
  const report = await (await fetch(`${feed.url}/report?from=${(started - 1_000) * 1e6}&to=${Date.now() * 1e6}`)).json();
  const row = report.rows.find((r) => r.subject.id === subject);
  assert.ok(row, `the router is in the report: ${JSON.stringify(report.rows.map((r) => r.subject))}`);
  assert.ok(row.availability.maintenance_ns > 0, JSON.stringify(row.availability));
  assert.equal(row.availability.down_ns, 0, `the outage was inside the window: ${JSON.stringify(row.availability)}`);
  assert.equal(row.availability.outages.length, 0);
  for (const p of [desk, wall]) {
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
  await killFeed(feed);
});

test('the wall playlist rotates, holds on a new critical alert, and goes on once it is acked', async () => {
  const dir = tmp('ops-playlist');
  // The outage repeats every 45 s: 5 s in, and again at 50 s.
  const feed = await startFeed({ args: ['--history', path.join(dir, 'history.db'), 'simulate', '--scenario', 'router-outage', '--scenario-every', '45', '--routers', '12', '--identities', '300'] });
  const down = async () => (await (await fetch(`${feed.url}/nodes`)).json()).filter((n) => n.health === 'down').length;
  // Past the first outage: the wall goes up on a calm network.
  await until(async () => (await down()) > 0, () => 'the first outage', 20_000);
  await until(async () => (await down()) === 0, () => 'the router back', 40_000);
  const views = ['view=changes', 'view=map'].join('|');
  const wall = await open(`${feed.url}/?wall&every=5&playlist=${encodeURIComponent(views)}`, 1920, 1080);
  const bar = wall.page.getByTestId('playlist');
  const index = async () => Number(await bar.getAttribute('data-index'));
  // It rotates: the change log, then the map, then the change log again.
  const seen = [];
  await until(async () => {
    const i = await index();
    if (seen.at(-1) !== i) seen.push(i);
    return seen.length >= 3;
  }, () => `it rotates: ${seen}`, 20_000);
  await until(async () => (await index()) === 0, () => 'back at the change log', 10_000);
  assert.ok(await wall.page.locator('section.changes').isVisible(), 'the change log is shown');
  // The next outage: held on the map, which shows the router.
  await bar.and(wall.page.locator('[data-held=true]')).waitFor({ timeout: 30_000 });
  assert.equal(await index(), 1, 'held on the view that shows the router');
  assert.ok(await wall.page.getByTestId('map-canvas').isVisible());
  assert.match(await bar.textContent(), /held on a new critical alert/);
  await wall.page.screenshot({ path: path.join(ARTIFACTS, 'ops-playlist-held.png') });
  await new Promise((r) => setTimeout(r, 6_000));
  assert.equal(await index(), 1, 'still held past its period');
  // Acked (from a desk, through the feed): it goes on.
  const subject = await wall.page.locator('[data-testid=alert-list] li.state-firing[data-rule=router-down]').first().getAttribute('data-subject');
  const ack = await fetch(`${feed.url}/acks`, { method: 'POST', body: JSON.stringify({ rule: 'router-down', subject, by: 'desk', comment: 'looking' }) });
  assert.equal(ack.status, 201, await ack.text());
  await bar.and(wall.page.locator('[data-held=false]')).waitFor({ timeout: 5_000 });
  await until(async () => (await index()) === 0, () => 'it went on', 10_000);
  assert.deepEqual(wall.errors, []);
  await wall.context.close();
  await killFeed(feed);
});
