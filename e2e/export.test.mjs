// Exports open and hold the right rows: events as CSV and JSON lines (from
// the feed's history), the snapshot as JSON, and the map as a PNG, each
// downloaded through the app's own controls (the audit-trail issue).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, waitHistory } from './feed.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const ROUTERS = 12;
const IDENTITIES = 40;
const t = (k) => new Date(Date.UTC(2025, 5, 12, 9) + k * 10).toISOString();
/** Routers online, then identities connecting, one of them with a hostile id. */
function lines() {
  const out = [];
  for (let r = 0; r < ROUTERS; r++) out.push({ namespace: 'router', timestamp: t(out.length), event_src_id: 'ctrl1', event_type: 'router-online', router_id: `edge-${r}`, router_online: true });
  for (let i = 0; i < IDENTITIES; i++) {
    const id = i === 7 ? '=HYPERLINK("http://x"),"' : `laptop-${i}`;
    out.push({ namespace: 'connect', event_src_id: 'ctrl1', timestamp: t(out.length), src_type: 'identity', dst_type: 'router', src_id: id, src_addr: '100.64.0.1:1', dst_id: `edge-${i % ROUTERS}`, dst_addr: '10.0.0.2:3022' });
  }
  return out.map((e) => JSON.stringify(e));
}

/** Clicks `testid` and returns the downloaded file's name and bytes. */
async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId(testid).click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(file) };
}

test('events as CSV and JSON lines, the snapshot and the map as PNG: each opens and has the right rows; the event log lists, filters and exports the history', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-export-'));
  const feed = await startFeed({ stdin: true, args: ['--history', path.join(dir, 'h.db'), 'stdin'] });
  try {
    const all = lines();
    feed.child.stdin.write(all.join('\n') + '\n');
    // Every line is in the history before anything is exported.
    await waitHistory(feed, all.length);
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('export').locator('summary').click();

    const csv = await download(page, 'export-csv');
    assert.equal(csv.name, 'zitiscope-events.csv');
    const rows = csv.bytes.toString('utf8').trimEnd().split('\r\n');
    assert.equal(rows[0], 'id,at,type,kind,name,src,dst,state,via,latency_ms,jitter_ms,of,entity,op,label,display_name,src_name,dst_name');
    assert.equal(rows.length, 1 + all.length, 'a row per event');
    // The name columns last: no entityChange named them, so each reads as its id.
    assert.match(rows[1], /^1,2025-06-12T09:00:00Z,conn,router-to-ctrl,edge-0,edge-0,ctrl1,online,ctrl1,,,,,,,edge-0,edge-0,ctrl1$/);
    const evil = rows.find((r) => r.includes('HYPERLINK'));
    assert.ok(evil.includes(`"'=HYPERLINK(""http://x""),"""`), `a formula is defused and quoted: ${evil}`);

    const jsonl = await download(page, 'export-jsonl');
    const events = jsonl.bytes.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.length, all.length);
    assert.equal(events.filter((e) => e.body.conn?.kind === 'edge-to-router').length, IDENTITIES);
    assert.deepEqual(events[0].names, { 'edge-0': 'edge-0', ctrl1: 'ctrl1' }, 'each line names what it mentions');

    const snap = JSON.parse((await download(page, 'export-snapshot')).bytes.toString('utf8'));
    const routers = new Set(snap.state.connections.filter(([k]) => k.kind === 'router-to-ctrl').map(([k]) => k.src));
    assert.equal(routers.size, ROUTERS);

    await page.getByTestId('export').locator('summary').click();
    const png = await download(page, 'export-png');
    assert.equal(png.name, 'zitiscope-map.png');
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    assert.ok(png.bytes.length > 5_000, `the map, not a blank: ${png.bytes.length} bytes`);

    // The event log: the history newest first, a page of 50 at a time.
    await page.getByTestId('show-events').click();
    const log = page.getByTestId('event-log');
    const logRows = log.getByTestId('event-log-rows').locator('tbody tr');
    const count = (n) => page.waitForFunction((n) => document.querySelectorAll('[data-testid=event-log-rows] tbody tr').length === n, n, { timeout: 10_000 });
    await count(50);
    assert.equal(await logRows.first().locator('td').nth(3).textContent(), 'laptop-39', 'the newest first');
    await log.getByTestId('event-log-older').click();
    await count(all.length);
    assert.equal(await logRows.last().locator('td').nth(3).textContent(), 'edge-0', 'the oldest last');
    assert.equal(await log.getByTestId('event-log-older').count(), 0);
    // Filtered (and in the URL): a hostile id is text, never markup.
    await page.getByTestId('event-filter').fill('kind=edge-to-router');
    await count(IDENTITIES);
    assert.equal(new URL(page.url()).searchParams.get('events'), 'kind=edge-to-router');
    const names = await logRows.evaluateAll((trs) => trs.map((tr) => tr.children[3].textContent));
    assert.ok(names.includes('=HYPERLINK("http://x"),"'), 'the hostile id, as text');
    assert.equal(await log.locator('tbody a, tbody script').count(), 0);
    // Its export holds exactly the rows it lists.
    const listed = (await download(page, 'event-log-csv')).bytes.toString('utf8').trimEnd().split('\r\n');
    assert.equal(listed.length, 1 + IDENTITIES);
    assert.deepEqual(listed.slice(1).map((r) => r.split(',')[0]), await logRows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), 'the same rows in the same order');
    assert.ok(listed.slice(1).every((r) => r.split(',')[3] === 'edge-to-router'), 'only the filtered events');
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
