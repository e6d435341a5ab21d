// The NOC's availability report and maintenance windows (issue 21, items 2
// and 3), in the real app against the simulator with a history: the Report
// view lists every node and link worst first with its availability, asks
// the feed again for another range, downloads the same question as CSV and
// prints as the report alone; the Maintenance view makes a window for a
// router (in force at once, and left out of that router's report, said so),
// shows the feed's reason when it refuses one, and deletes it. Each view is
// saved at 1366×768 and 1920×1080 in e2e/artifacts/ for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, until, ARTIFACTS } from './feed.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const DAY_MS = 86_400_000;

/** The feed's routers: `[{ id, name }]`, from `/nodes`. */
async function routers(feed) {
  const nodes = await (await fetch(`${feed.url}/nodes`)).json();
  return nodes.filter((n) => n.node.startsWith('router:')).map((n) => ({ id: n.node.slice('router:'.length), name: n.name }));
}

/** The report's rows as { subject, kind, share } (share: a number, or null for "—"). */
const reportRows = (page) => page.getByTestId('report-row').evaluateAll((trs) => trs.map((tr) => {
  const text = tr.querySelector('[data-testid=report-availability]').textContent;
  return { subject: tr.dataset.subject, kind: tr.dataset.kind, text, share: text === '—' ? null : Number(text.replace(' %', '')) };
}));

/** Saves the page at the desk and the laptop size as `<name>-<w>x<h>.png`, then puts the laptop size back. */
async function screens(page, name) {
  for (const [width, height] of [[1366, 768], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}x${height}.png`) });
  }
  await page.setViewportSize({ width: 1366, height: 768 });
}

/** `ms` as a `datetime-local` value in the page's time zone (as a person would type it). */
const localValue = (page, ms) => page.evaluate((ms) => {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}, ms);

test('the availability report and maintenance windows: worst first, another range, CSV, print; a window made, refused and deleted', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-report-'));
  // 5 s in, edge-eu-1 loses its controllers for 20 s (see alerts.test.mjs).
  const feed = await startFeed({ args: ['--history', path.join(dir, 'h.db'), 'simulate', '--scenario', 'router-outage', '--scenario-every', '120', '--routers', '12', '--identities', '300'] });
  try {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    const asked = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/report') asked.push(url.searchParams);
    });
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });

    // The Report tab: the last 24 hours. Asked again (24 h ends at the
    // click) until the outage is in the history: a row below 100 %.
    await page.getByTestId('show-report').click();
    const report = page.getByTestId('report');
    await report.waitFor();
    assert.equal(await report.getAttribute('data-range'), '24h');
    let rows = [];
    await until(async () => {
      rows = await reportRows(page);
      if (rows.length > 0 && rows[0].share !== null && rows[0].share < 100) return true;
      await page.getByTestId('report-range-24h').click();
      await page.waitForTimeout(1000);
      return false;
    }, () => `a row below 100 %: ${JSON.stringify(rows.slice(0, 3))}`, 40_000);
    assert.ok(rows.every((r) => /^(\d+(\.\d+)? %|—)$/.test(r.text)), `each row has an availability figure: ${JSON.stringify(rows)}`);
    const shares = rows.map((r) => r.share ?? Infinity);
    assert.deepEqual(shares, [...shares].sort((a, b) => a - b), 'worst first');
    const all = await routers(feed);
    const eu1 = all.find((r) => r.name === 'edge-eu-1');
    const lost = rows.find((r) => r.subject === eu1.id);
    assert.ok(lost && lost.kind === 'router' && lost.share < 100, `the router that lost its controllers was down: ${JSON.stringify(lost)}`);
    assert.ok(rows.filter((r) => r.kind === 'router' && r.subject !== eu1.id).every((r) => r.share === 100), 'no other router was');
    // Its outage, below its row: from the start of the story, over.
    await page.getByTestId('report-row').first().getByTestId('report-outages-toggle').click();
    const outage = page.getByTestId('report-outage').first();
    await outage.waitFor();
    assert.match(await outage.textContent(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    await page.getByTestId('report-row').first().getByTestId('report-outages-toggle').click();

    // 7 d: the feed is asked for seven days, ending now.
    const [from24, to24] = [Number(await report.getAttribute('data-from')), Number(await report.getAttribute('data-to'))];
    assert.equal(to24 - from24, DAY_MS);
    const before7 = asked.length;
    await page.getByTestId('report-range-7d').click();
    await until(async () => Number(await report.getAttribute('data-to')) - Number(await report.getAttribute('data-from')) === 7 * DAY_MS,
      () => 'the report shown covers 7 days', 10_000);
    assert.equal(await report.getAttribute('data-range'), '7d');
    assert.equal(await page.getByTestId('report-range-7d').getAttribute('aria-pressed'), 'true');
    const q = asked.slice(before7).at(-1);
    assert.equal(Date.parse(q.get('to')) - Date.parse(q.get('from')), 7 * DAY_MS, `the request's range, RFC 3339: ${q}`);
    assert.match(await page.getByTestId('report-range').textContent(), /→ .* UTC · \d+ events read/);
    assert.equal(await page.getByTestId('report-error').textContent(), '');

    // The CSV: the same question, as a download.
    const href = await page.getByTestId('report-csv').getAttribute('href');
    const csvUrl = new URL(href, feed.url);
    assert.equal(csvUrl.searchParams.get('format'), 'csv');
    assert.equal(csvUrl.searchParams.get('from'), q.get('from'));
    const csv = await (await fetch(csvUrl)).text();
    assert.match(csv, /^type,id,name,availability_percent,/);
    assert.ok(csv.includes(eu1.id), 'the CSV names the router too');

    assert.ok(await page.getByTestId('report-print').isVisible());
    await screens(page, 'report');
    // On paper: the report alone, every subject's outages listed.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.topbar').isVisible(), false, 'no top bar on paper');
    assert.equal(await page.getByTestId('show-report').isVisible(), false, 'no tabs on paper');
    assert.equal(await page.getByTestId('alerts').isVisible(), false, 'no alerts on paper');
    assert.ok(await report.isVisible());
    assert.ok(await page.getByTestId('report-outage').first().isVisible(), 'the outages are listed on paper');
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });

    // A filter that does not parse is named at its column and asks nothing.
    const beforeBad = asked.length;
    await page.getByTestId('report-filter').fill('stat=down');
    await page.getByTestId('report-filter-error').filter({ hasText: 'col 1' }).waitFor({ timeout: 5_000 });
    assert.equal(asked.length, beforeBad, 'a filter that does not parse asks nothing');
    await page.getByTestId('report-filter').fill('');
    // A range the feed will not read: its reason, as it gives it.
    await page.getByTestId('report-from').fill(await localValue(page, Date.now() - 500 * DAY_MS));
    await page.getByTestId('report-error').filter({ hasText: 'at most 400 days' }).waitFor({ timeout: 10_000 });
    assert.equal(await report.getAttribute('data-range'), 'custom');
    assert.equal(await page.getByTestId('report-row').count(), 0, 'no rows of another range under the refusal');

    // Maintenance: a window for one router, from this minute to an hour on.
    const target = all.find((r) => r.name !== 'edge-eu-1');
    await page.getByTestId('show-maintenance').click();
    await page.getByTestId('maintenance').waitFor();
    await page.getByTestId('maintenance-name').fill('e2e upgrade');
    await page.getByTestId('maintenance-scope-nodes').check();
    await page.getByTestId('maintenance-targets').fill(target.name);
    await page.getByTestId('maintenance-once').check();
    const now = Date.now();
    await page.getByTestId('maintenance-from').fill(await localValue(page, now));
    await page.getByTestId('maintenance-to').fill(await localValue(page, now + 3_600_000));
    await page.getByTestId('maintenance-save').click();
    const made = page.locator('[data-testid=maintenance-window][data-name="e2e upgrade"]');
    await made.getByTestId('maintenance-in-force').waitFor({ timeout: 10_000 });
    assert.match(await made.textContent(), new RegExp(`node ${target.name}.*once: .* UTC`));
    assert.equal(await page.getByTestId('maintenance-error').textContent(), '');
    const listed = await (await fetch(`${feed.url}/maintenance`)).json();
    assert.equal(listed.windows.length, 1);
    assert.deepEqual(listed.windows[0].window.scope, { nodes: [target.name] });

    // The report leaves that time out for that router, and says so.
    await page.getByTestId('show-report').click();
    const row = page.locator(`[data-testid=report-row][data-subject="${target.id}"]`);
    await row.getByTestId('report-maintenance-note').waitFor({ timeout: 10_000 });
    assert.match(await row.getByTestId('report-maintenance-note').textContent(), /^\S+( \S+)? in maintenance, not counted$/);
    await page.getByTestId('show-maintenance').click();
    await made.getByTestId('maintenance-in-force').waitFor({ timeout: 10_000 });
    await screens(page, 'maintenance');

    // A node the network does not have: the feed refuses, and says why.
    await page.getByTestId('maintenance-name').fill('ghost');
    await page.getByTestId('maintenance-targets').fill('no-such-node');
    await page.getByTestId('maintenance-save').click();
    await page.getByTestId('maintenance-error').filter({ hasText: 'no node is named "no-such-node"' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid=maintenance-window][data-name="ghost"]').count(), 0);

    // Deleted, it is gone (from the list and from the feed).
    await made.getByTestId('maintenance-delete').click();
    await until(async () => (await made.count()) === 0, () => 'the window is gone from the list', 10_000);
    assert.deepEqual((await (await fetch(`${feed.url}/maintenance`)).json()).windows, []);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
