// What an operator sees: the real feed (simulate mode) serving the real
// release build, in Debian's chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, watchStreams, ARTIFACTS } from './feed.mjs';


// The served app may connect to other local feeds (the ?feed= tests).
const BUSY = ['--connect-src', 'http://127.0.0.1:*', 'simulate', '--rate', '200', '--outage-every', '10'];
let browser;
let feed;

before(async () => {
  browser = await launchBrowser();
  feed = await startFeed({ args: BUSY });
});

after(async () => {
  await browser?.close();
  if (feed) await killFeed(feed);
});

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // Any Content-Security-Policy violation counts as an error.
  await page.exposeFunction('reportCsp', (v) => errors.push(new Error(`CSP violation: ${v}`)));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.reportCsp(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto(feed.url);
  assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  return { page, errors };
}

const num = async (page, id) => Number(await page.getByTestId(id).textContent());

test('status goes live and the counters fill and move', async () => {
  const { page, errors } = await openPage();
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=identity-online]')?.textContent) > 0, null, { timeout: 10_000 });
  assert.equal(await num(page, 'controller-online'), 3);
  assert.equal(await num(page, 'router-online') + await num(page, 'router-offline'), 40);
  assert.ok(await num(page, 'identity-online') > 1000);

  // The network is alive: the number of applied events keeps rising and
  // the change list fills.
  const before = await num(page, 'events-applied');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=events-applied]').textContent) > n + 50, before, { timeout: 10_000 });
  await page.getByTestId('show-changes').click();
  await page.locator('[data-testid=changes] li').first().waitFor({ timeout: 10_000 });
  await page.getByTestId('show-map').click();
  assert.equal(await num(page, 'skipped'), 0);
  assert.match(await page.getByTestId('rejected').textContent(), /^0 rejected$/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the app rides out a feed crash and restart with no click', async () => {
  const { page, errors } = await openPage();
  const status = page.getByTestId('feed-status');
  await status.filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });

  await killFeed(feed);
  await status.filter({ hasText: /reconnecting in \d+ s/ }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-reconnecting.png') });

  feed = await startFeed({ listen: feed.hostPort, args: BUSY });
  await status.filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=router-online]')?.textContent) > 0, null, { timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a ?feed= URL that points nowhere shows reconnecting, not a blank page', async () => {
  const page = await browser.newPage();
  await page.goto(`${feed.url}/?feed=http://127.0.0.1:9/`);
  await page.getByTestId('feed-status').filter({ hasText: /reconnecting in \d+ s/ }).waitFor({ timeout: 15_000 });
  assert.match(await page.locator('.feed-url').textContent(), /127\.0\.0\.1:9\/events/);
  await page.close();
});

test('?feed= points the app at another feed that allows its origin', async () => {
  const other = await startFeed({ args: ['--allow-origin', feed.url, 'simulate', '--routers', '7', '--identities', '50'] });
  try {
    const page = await browser.newPage();
    const streams = watchStreams(page);
    await page.goto(`${feed.url}/?feed=${encodeURIComponent(other.url)}`);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=router-online]')?.textContent) > 0, null, { timeout: 10_000 });
    assert.equal(await num(page, 'router-online') + await num(page, 'router-offline'), 7, 'counts come from the other feed');
    assert.match(streams[0] ?? '', /since=/, "started from the other feed's snapshot, fetched by the worker's loader");
    await page.close();
  } finally {
    await killFeed(other);
  }
});

test('with --token, the app opened once with ?token= stays connected, and reloads use the cookie', async () => {
  const token = 'e2e-token-0123456789abcdef';
  const guarded = await startFeed({ args: ['--token', token, 'simulate', '--routers', '5', '--identities', '20'] });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const denied = await page.request.get(`${guarded.url}/snapshot`);
    assert.equal(denied.status(), 401, 'no token, no data');
    const streams = watchStreams(page);
    await page.goto(`${guarded.url}/?token=${token}`);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    await page.goto(`${guarded.url}/`);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    assert.equal(await num(page, 'router-online') + await num(page, 'router-offline'), 5);
    // Each load started from the snapshot its loader fetched, with the token and then with the cookie.
    assert.equal(streams.length, 2, `one stream a load: ${streams}`);
    for (const s of streams) assert.match(s, /since=/);
    await context.close();
  } finally {
    await killFeed(guarded);
  }
});

test('the list filter speaks the filter language, says where a mistake is, and a deep link keeps it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${feed.url}/?view=list&filter=${encodeURIComponent('type=controller')}`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  const input = page.getByTestId('network-filter');
  assert.equal(await input.inputValue(), 'type=controller', 'the deep link fills the input');
  // The simulated network has 3 controllers, and the list shows just them.
  await page.waitForFunction(() => document.querySelectorAll('tr.node-row').length === 3, null, { timeout: 10_000 });
  const nodes = await page.$$eval('tr.node-row', (rows) => rows.map((r) => r.dataset.node));
  assert.ok(nodes.every((n) => n.startsWith('controller:')), nodes.join());

  // Typed with a mistake: the error points at it; the last good filter stays.
  await input.fill('type=router AND stat=down');
  await page.getByTestId('network-filter-error').filter({ hasText: 'col 17: no field `stat`; did you mean `state`?' }).waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('tr.node-row').count(), 3);
  // Tab finishes the word; the filter takes effect and goes into the URL.
  await input.fill('type=router AND sta');
  await input.press('Tab');
  assert.equal(await input.inputValue(), 'type=router AND state');
  await input.pressSequentially('!=down');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tr.node-row')];
    return rows.length > 3 && rows.every((r) => r.dataset.node.startsWith('router:') && !r.classList.contains('health-down'));
  }, null, { timeout: 10_000 });
  assert.equal(await page.getByTestId('network-filter-error').textContent(), '');
  assert.equal(new URL(page.url()).searchParams.get('filter'), 'type=router AND state!=down');
  // A reload (or the link sent to a colleague) opens the same view.
  await page.reload();
  assert.equal(await page.getByTestId('network-filter').inputValue(), 'type=router AND state!=down');
  assert.deepEqual(errors, []);
  await page.close();
});
