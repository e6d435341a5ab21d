// Alerts and the wall display, in the real app against the real feed: the
// router-outage scenario raises exactly one grouped alert, which resolves
// when the router returns; ?wall survives a reload; a stalled or killed
// feed shows the banner within twice the heartbeat, and it clears by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';


let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(url);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  return { page, errors };
}

/** The board's rows as { rule, subject, state, text }. */
const rows = (page) => page.locator('[data-testid=alert-list] li').evaluateAll((lis) => lis.map((li) => ({
  rule: li.dataset.rule,
  subject: li.dataset.subject,
  state: [...li.classList].find((c) => c.startsWith('state-'))?.slice(6),
  text: li.textContent,
})));

test('router-outage: exactly one grouped alert fires, then resolves when the router returns', async () => {
  // The story: 5 s in, one edge router loses its controllers (its
  // identities drop, a third fail over); 20 s later it returns.
  const feed = await startFeed({ args: ['simulate', '--scenario', 'router-outage', '--scenario-every', '120', '--routers', '12', '--identities', '600'] });
  try {
    const { page, errors } = await open(feed.url);
    await page.waitForFunction(() => document.querySelector('[data-testid=alert-list] li.state-firing'), null, { timeout: 20_000 });
    const firing = (await rows(page)).filter((r) => r.state === 'firing');
    assert.equal(firing.length, 1, `one alert, not one per identity: ${JSON.stringify(firing)}`);
    assert.equal(firing[0].rule, 'router-down');
    assert.match(firing[0].text, /lost its controllers; \d+ identit(y|ies) dropped/);
    assert.equal(await page.title(), '(1) zitiscope');
    assert.match(await page.getByTestId('toasts').textContent(), /lost its controllers/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'alerts-router-outage.png') });
    // A click on the alert selects the router: its drawer opens.
    await page.locator('[data-testid=alert-list] li.state-firing .alert-main').click();
    assert.equal(await page.getByTestId('drawer-id').textContent(), firing[0].subject);

    await page.waitForFunction(
      (subject) => [...document.querySelectorAll('[data-testid=alert-list] li')].some((li) => li.dataset.subject === subject && li.classList.contains('state-resolved')),
      firing[0].subject, { timeout: 40_000 });
    const after = await rows(page);
    assert.deepEqual(after.filter((r) => r.state === 'firing'), [], 'nothing else fired meanwhile');
    assert.equal(after.filter((r) => r.rule === 'router-down').length, 1, 'the same alert, resolved, not a second one');
    // The board's filter speaks the filter language.
    const filter = page.getByTestId('alert-filter');
    await filter.fill('rule=router-down AND state=resolved');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=alert-list] li').length === 1, null, { timeout: 5_000 });
    await filter.fill('rule=link-down');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=alert-list] li').length === 0, null, { timeout: 5_000 });
    await filter.fill('severity=awful');
    await page.getByTestId('alert-filter-error').filter({ hasText: 'col 10: `severity` is one of' }).waitFor({ timeout: 5_000 });
    // And so does the change log's (a view of the stage): identities dropping, only.
    await page.getByTestId('show-changes').click();
    await page.getByTestId('change-filter').fill('kind=edge-to-router AND !good');
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('[data-testid=changes] li')];
      return items.length > 0 && items.every((li) => li.classList.contains('change-down') && li.textContent.includes('edge-to-router'));
    }, null, { timeout: 10_000 });
    assert.equal(await page.title(), 'zitiscope');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});

test('?wall survives a reload, and the wall and normal screens are saved', async () => {
  const feed = await startFeed({ args: ['simulate', '--routers', '40', '--identities', '2000'] });
  try {
    const { page, errors } = await open(feed.url);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-normal.png') });
    await page.getByTestId('toggle-wall').click();
    assert.match(page.url(), /[?&]wall/);
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('wall')));
    await page.reload();
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('wall')), 'still a wall display');
    assert.equal(await page.getByTestId('show-list').count(), 0, 'no chrome');
    assert.equal(await page.getByTestId('changes').count(), 0);
    await page.getByTestId('map-canvas').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-wall.png') });
    // High contrast, remembered across a reload too.
    await page.getByTestId('toggle-contrast').click();
    await page.reload();
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    assert.ok(await page.evaluate(() => document.documentElement.classList.contains('hc')));
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-wall-high-contrast.png') });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});

test('a stalled or killed feed shows the banner within 2× the heartbeat; it clears with no click', async () => {
  const HEARTBEAT = 1000;
  const args = ['--heartbeat-ms', String(HEARTBEAT), 'simulate', '--routers', '10', '--identities', '200', '--rate', '0'];
  let feed = await startFeed({ args });
  try {
    const { page, errors } = await open(feed.url);
    let streams = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/events') streams += 1; });
    const banner = page.getByTestId('feed-banner');
    assert.equal(await banner.count(), 0);
    // Stalled: the process stops, its connection stays open and says nothing.
    feed.child.kill('SIGSTOP');
    const stopped = Date.now();
    await banner.filter({ hasText: /Feed stale for \d+ s/ }).waitFor({ timeout: 10_000 });
    const took = Date.now() - stopped;
    // Stale is declared 2× the heartbeat after the last one, which came
    // before the stop; add the banner's 250 ms re-check and this test's
    // own polling.
    assert.ok(took <= 2 * HEARTBEAT + 1000, `the stale banner took ${took} ms`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'banner-stale.png') });
    // The watchdog gives up on the silent stream (3× the heartbeat) and opens another.
    const deadline = Date.now() + 10_000;
    while (streams === 0) {
      assert.ok(Date.now() < deadline, 'the silent stream was never replaced');
      await page.waitForTimeout(100);
    }
    feed.child.kill('SIGCONT');
    await banner.waitFor({ state: 'detached', timeout: 20_000 });

    // Killed: the banner says it is reconnecting, then goes when the feed is back.
    await killFeed(feed);
    const killed = Date.now();
    await banner.filter({ hasText: /reconnecting in \d+ s/ }).waitFor({ timeout: 10_000 });
    assert.ok(Date.now() - killed <= 2 * HEARTBEAT, `the reconnect banner took ${Date.now() - killed} ms`);
    feed = await startFeed({ listen: feed.hostPort, args });
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 5_000 });
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    feed.child.kill('SIGCONT');
    await killFeed(feed);
  }
});
