// Time travel: the app shows the network as the feed's history says it was
// at a moment (a deep link, the scrubber, playback), and "Live" returns to
// the live network with no gap (the audit-trail issue).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, waitHistory } from './feed.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// An outage twenty minutes ago: five routers come up at T, edge-3 drops at
// T+60 s and returns at T+120 s.
const T = Date.now() - 20 * 60_000;
const iso = (ms) => new Date(ms).toISOString();
const router = (id, at, up) => JSON.stringify({ namespace: 'router', timestamp: iso(at), event_src_id: 'ctrl1', event_type: up ? 'router-online' : 'router-offline', router_id: id, router_online: up });
// Two hours ago (before the outage and outside the last hour's analysis),
// edge-4 flapped: thirty reports, ending up. The change log pages through them.
const FLAPS = Array.from({ length: 30 }, (_, i) => router('edge-4', Date.now() - 2 * 3600_000 + i * 1000, i % 2 === 1));
const LOG = [
  ...FLAPS,
  ...[0, 1, 2, 3, 4].map((r) => router(`edge-${r}`, T + r, true)),
  router('edge-3', T + 60_000, false),
  router('edge-3', T + 120_000, true),
];

const rowHealth = (page, id) => page.locator(`tr[data-node="router:${id}"]`).getAttribute('class');
async function waitHealth(page, id, health) {
  await page.waitForFunction(([id, h]) => document.querySelector(`tr[data-node="router:${id}"]`)?.classList.contains(`health-${h}`), [id, health], { timeout: 15_000 });
}

test('a moment from the history: deep link, Live, scrubber and playback show the network as it was', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-travel-'));
  const feed = await startFeed({ stdin: true, args: ['--history', path.join(dir, 'h.db'), 'stdin'] });
  try {
    feed.child.stdin.write(LOG.join('\n') + '\n');
    await waitHistory(feed, LOG.length);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));

    // A deep link to the middle of the outage.
    const during = iso(T + 90_000);
    await page.goto(`${feed.url}/?view=list&at=${encodeURIComponent(during)}`);
    await waitHealth(page, 'edge-3', 'down');
    assert.equal(await page.getByTestId('router-offline').textContent(), '1', 'the counters are of that moment too');
    assert.equal(new Date(await page.getByTestId('travel-at').textContent()).getTime(), T + 90_000, 'the moment shown');
    // The alerts of that moment: edge-3 had lost its controllers.
    await page.getByTestId('alert-counts').filter({ hasText: 'firing at the moment shown' }).waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('alert-list').textContent(), /edge-3 lost its controllers/);
    // The drawer tells that moment's facts: down for 30 s, since T+60 s.
    await page.locator('tr[data-node="router:edge-3"] .node-open').click();
    await page.getByTestId('drawer-uptime').filter({ hasText: /^down for 30s/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('drawer-transitions').textContent(), '1', 'down at T+60 s (live has two: it came back)');
    assert.match(await page.getByTestId('drawer-health').textContent(), /down/);
    await page.locator('.drawer-close').click();
    // The change log at that moment (a view of the stage) is the history's,
    // and ends there: edge-3 came up, then dropped (its return is still to come).
    await page.getByTestId('show-changes').click();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'changes', 'the view shown is in the URL');
    await page.getByTestId('change-filter').fill('edge-3');
    const changeRows = () => page.getByTestId('changes').locator('li').evaluateAll((lis) => lis.map((li) => li.className));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=changes] li').length === 2, null, { timeout: 10_000 });
    assert.deepEqual(await changeRows(), ['change change-down', 'change change-up'], 'newest first, up to the moment');
    assert.equal(new URL(page.url()).searchParams.get('changes'), 'edge-3', 'the change filter is in the URL');
    assert.equal(await page.getByTestId('change-history').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('show-list').click();

    // The map at that moment too: find edge-3 (it is centred), and its tooltip says so.
    const map = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await map.goto(`${feed.url}/?at=${encodeURIComponent(during)}`);
    await map.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    await map.waitForFunction(() => document.querySelector('[data-testid=router-offline]')?.textContent === '1', null, { timeout: 15_000 });
    await map.getByTestId('map-search').fill('edge-3');
    await map.getByTestId('map-search').press('Enter');
    const hoverCentre = async () => {
      const box = await map.getByTestId('map-canvas').boundingBox();
      await map.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 40);
      await map.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      return map.locator('.map-tooltip').textContent({ timeout: 5_000 });
    };
    assert.match(await hoverCentre(), /^router edge-3 — down/, 'the map shows the moment');
    await map.getByTestId('travel-live').click();
    await map.waitForFunction(() => document.querySelector('[data-testid=router-offline]')?.textContent === '0', null, { timeout: 15_000 });
    assert.match(await hoverCentre(), /^router edge-3 — ok/, 'and live again');
    await map.close();

    // Live: the network as it is now, at once (the stream never stopped).
    await page.getByTestId('travel-live').click();
    await waitHealth(page, 'edge-3', 'ok');
    assert.equal(await page.getByTestId('router-offline').textContent(), '0');
    assert.equal(new URL(page.url()).searchParams.get('at'), null, 'live leaves the URL');
    await page.getByTestId('alert-counts').filter({ hasText: /firing · \d+ pending/ }).waitFor({ timeout: 10_000 });

    // Live, the change log holds only what the app saw; "History" searches
    // the feed's: edge-4's thirty reports of two hours ago, a page at a time,
    // exactly the rows the feed has.
    await page.getByTestId('show-changes').click();
    await page.getByTestId('change-filter').fill('edge-4');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=changes] li').length === 0, null, { timeout: 10_000 });
    await page.getByTestId('change-history').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=changes] li').length === 25, null, { timeout: 10_000 });
    const stored = (await (await fetch(`${feed.url}/changes?order=desc&limit=1000&filter=edge-4`)).json()).changes;
    assert.ok(stored.length > 25, `more than a page (${stored.length})`);
    await page.getByTestId('changes-older').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=changes] li').length === n, stored.length, { timeout: 10_000 });
    assert.equal(await page.getByTestId('changes-older').count(), 0, 'no page after the last');
    const states = await page.getByTestId('changes').locator('.change-state').allTextContents();
    assert.deepEqual(states.map((t) => t.slice(2)), stored.map((c) => c.label.state), 'the feed\'s rows, newest first');
    await page.getByTestId('change-history').click();
    await page.getByTestId('change-filter').fill('');
    await page.getByTestId('show-list').click();

    // The picker: any moment, in local time (the browser's zone is this machine's).
    const local = (ms) => { const d = new Date(ms); const p = (n) => String(n).padStart(2, '0'); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; };
    const whole = Math.floor((T + 90_000) / 1000) * 1000;
    await page.getByTestId('travel-pick').fill(local(whole));
    await waitHealth(page, 'edge-3', 'down');
    assert.equal(new Date(await page.getByTestId('travel-at').textContent()).getTime(), whole, 'the moment picked');
    await page.getByTestId('travel-live').click();
    await waitHealth(page, 'edge-3', 'ok');

    // The scrubber: seconds before now.
    const back = Math.round((Date.now() - (T + 90_000)) / 1000);
    await page.getByTestId('travel-scrub').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('change', { bubbles: true })); }, -back);
    await waitHealth(page, 'edge-3', 'down');
    assert.ok(new URL(page.url()).searchParams.get('at'), 'the moment is in the URL');

    // Playback at 60×, from before the outage: edge-3 goes down, then comes back.
    const before = Math.round((Date.now() - (T + 30_000)) / 1000);
    await page.getByTestId('travel-scrub').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('change', { bubbles: true })); }, -before);
    await waitHealth(page, 'edge-3', 'ok');
    // Playing replays the history's events onto the moment held: it reads
    // `/history` pages and asks for no new state.
    const asked = { state: 0, history: 0 };
    const count = (req) => {
      const p = new URL(req.url()).pathname;
      if (p === '/state') asked.state += 1;
      if (p === '/history') asked.history += 1;
    };
    page.on('request', count);
    await page.getByTestId('travel-play-60').click();
    assert.equal(new URL(page.url()).searchParams.get('play'), '60', 'playing is in the URL');
    await waitHealth(page, 'edge-3', 'down');
    await waitHealth(page, 'edge-3', 'ok');
    assert.match(await rowHealth(page, 'edge-3'), /health-ok/);
    page.off('request', count);
    assert.equal(asked.state, 0, 'playback asks for no state');
    assert.ok(asked.history >= 2, `playback reads the history (${asked.history} pages)`);
    // Paused, the moment is made exact: the state is asked for again.
    const exact = page.waitForRequest((r) => new URL(r.url()).pathname === '/state', { timeout: 10_000 });
    await page.getByTestId('travel-pause').click();
    await exact;
    assert.equal(new URL(page.url()).searchParams.get('play'), null, 'paused leaves the URL');
    // It stopped at a past moment after edge-3's return, and the drawer
    // tells that moment's facts: two transitions, up since T+120 s.
    const reached = new Date(await page.getByTestId('travel-at').textContent()).getTime();
    assert.ok(reached > T + 120_000 && reached < Date.now() - 60_000, `a moment after the return: ${iso(reached)}`);
    const up = Math.floor((reached - (T + 120_000)) / 1000);
    const age = up >= 60 ? `${Math.floor(up / 60)}m ${String(up % 60).padStart(2, '0')}s` : `${up}s`;
    await page.locator('tr[data-node="router:edge-3"] .node-open').click();
    await page.getByTestId('drawer-uptime').filter({ hasText: new RegExp(`^up for ${age} `) }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('drawer-transitions').textContent(), '2');
    await page.locator('.drawer-close').click();

    // A link can start a replay: from before the outage, at 60×.
    const replay = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await replay.goto(`${feed.url}/?view=list&play=60&at=${encodeURIComponent(iso(T + 30_000))}`);
    await waitHealth(replay, 'edge-3', 'down');
    await waitHealth(replay, 'edge-3', 'ok');
    await replay.close();

    // The analysis of the last hour names the router that dropped.
    await page.getByTestId('travel-live').click();
    await page.getByTestId('show-analysis').click();
    const routers = page.getByTestId('analysis-routers');
    await routers.locator('tbody tr').first().waitFor({ timeout: 10_000 });
    const first = await routers.locator('tbody tr').first().locator('th, td').allTextContents();
    assert.deepEqual(first.slice(0, 3), ['edge-3', '1', '0'], 'edge-3 flapped once; no identity dropped');
    assert.equal(await routers.locator('tbody tr').count(), 1, 'only routers that dropped are listed');
    assert.match(await page.getByTestId('analysis-sparkline').locator('polyline.spark-conn').getAttribute('points'), /^\d/, 'a line for the conn events');

    // A moment before the history is said to be so.
    await page.goto(`${feed.url}/?view=list&at=2020-01-01T00:00:00Z`);
    await page.getByTestId('travel-error').filter({ hasText: 'before the history starts' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
