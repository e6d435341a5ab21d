// A worker listens, the main thread draws (issue 17). The stream, the store
// and the alert engine live in the app's Web Worker: the worker's own
// counter holds the events, and the page only shows what it sends. With the
// page's main thread slowed 4× (the stand-in for a wall box) and the feed
// at 5,000 events/s for 30 s, the app ends with exactly the feed's counts,
// on one stream, never reset by the feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, until, feedNodes, listEqualsNodes, metric, DIST } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

const ROUTERS = 80;
const IDENTITIES = 2_000;
const RATE = 5_000;
const SECONDS = Number(process.env.WORKER_SECONDS ?? 30);

/** Event `k`: routers and identities connecting and dropping, in time order. */
function event(k) {
  const ts = new Date(Date.UTC(2025, 5, 12, 9) + k).toISOString();
  if (k % 10 === 0) {
    const r = (k / 10) % ROUTERS;
    if (k % 70 === 0) return { namespace: 'router', timestamp: ts, event_src_id: 'ctrl1', event_type: 'router-offline', router_id: `edge-${r}`, router_online: false };
    return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'router', dst_type: 'ctrl', src_id: `edge-${r}`, src_addr: '10.0.0.1:1', dst_id: 'ctrl1', dst_addr: '10.0.0.10:6262' };
  }
  const i = k % IDENTITIES;
  if (k % 13 === 0) return { namespace: 'sdk', event_src_id: 'ctrl1', timestamp: ts, event_type: 'sdk-offline', identity_id: `laptop-${i}` };
  return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'identity', dst_type: 'router', src_id: `laptop-${i}`, src_addr: '100.64.0.1:1', dst_id: `edge-${(i + Math.floor(k / IDENTITIES)) % ROUTERS}`, dst_addr: '10.0.0.2:3022' };
}

test(`the worker holds the store; with the main thread slowed 4× and ${RATE} events/s for ${SECONDS} s the app ends with the feed's counts, never reset`, { timeout: 5 * 60_000 }, async () => {
  const feed = await startFeed({ stdin: true, args: ['stdin'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    let streams = 0;
    let resumed = false;
    const requested = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      requested.push(url.pathname);
      if (url.pathname === '/events') {
        streams += 1;
        resumed = /since=/.test(url.search);
      }
    });
    const spawned = page.waitForEvent('worker');
    await page.goto(feed.url);
    const worker = await spawned;
    const url = new URL(worker.url());
    assert.equal(url.pathname, '/zitiscope-worker_loader.js', "the app's worker");
    assert.equal(url.search, '', "no query in a script's URL (a token would reach a static host's logs)");
    assert.equal(await worker.evaluate(() => self.name), 'listen', 'started early by index.html, with the page\'s query (none here)');
    worker.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); });
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

    // 5,000 events a second, written in tenths of a second, on the clock.
    const total = RATE * SECONDS;
    const start = Date.now();
    for (let k = 0; k < total;) {
      const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * RATE) + RATE / 10);
      let lines = '';
      for (; k < due; k++) lines += JSON.stringify(event(k)) + '\n';
      if (!feed.child.stdin.write(lines)) await new Promise((r) => feed.child.stdin.once('drain', r));
      await new Promise((r) => setTimeout(r, 100));
    }

    // The feed has read and published every line, and the app applied up
    // to its last batch.
    const applied = page.getByTestId('events-applied');
    let h;
    let seq;
    await until(async () => {
      h = await (await fetch(`${feed.url}/healthz`)).json();
      seq = await applied.getAttribute('data-seq');
      return h.sources?.stdin?.events === total && h.events === total && Number(seq) === h.seq;
    }, () => `waiting for ${total} events read, published and applied: feed ${JSON.stringify({ read: h?.sources?.stdin?.events, published: h?.events, seq: h?.seq })}, app at ${seq}`, 60_000);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

    assert.equal(Number(await applied.textContent()), total, 'the app counted every event the feed published');
    const own = await worker.evaluate(() => self.zitiscopeWorker);
    assert.equal(own.events, total, "the worker's store applied them");
    assert.ok(own.updates < total / 10, `the page took ${own.updates} updates for ${total} events: coalesced, not one per event`);
    assert.equal(await page.evaluate(() => typeof window.zitiscopeEarly), 'undefined', 'the app took the early worker over');
    assert.equal(await metric(feed.url, 'client_resets_total'), 0, 'the feed never reset the app');
    assert.equal(streams, 1, 'one stream throughout');
    assert.ok(resumed, 'opened after the snapshot the loader fetched, naming its point (?since=)');
    assert.ok(requested.indexOf('/snapshot') >= 0 && requested.indexOf('/snapshot') < requested.indexOf('/zitiscope-worker_bg.wasm'), `the loader fetched the snapshot before the wasm: ${requested}`);
    assert.equal(await metric(feed.url, 'streams_snapshot_total'), 0, 'the stream resumed after the fetched snapshot instead of sending one');
    assert.equal(await metric(feed.url, 'streams_resumed_total'), 1, 'and resumed exactly once');
    const counters = {};
    for (const id of ['router-online', 'router-offline', 'identity-online', 'identity-offline']) {
      counters[id] = Number(await page.getByTestId(id).textContent());
    }
    assert.deepEqual(counters, {
      'router-online': h.summary.routers.online,
      'router-offline': h.summary.routers.total - h.summary.routers.online,
      'identity-online': h.summary.identities.online,
      'identity-offline': h.summary.identities.total - h.summary.identities.online,
    });
    await listEqualsNodes(page, await feedNodes(feed));
    assert.deepEqual(errors, []);
  } finally {
    await killFeed(feed);
  }
});

test('a worker that cannot load says so on the page instead of "connecting" for ever', async () => {
  // The app's files without the worker's wasm: a broken or partial deploy.
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-noworker-'));
  cpSync(DIST, dir, { recursive: true });
  rmSync(path.join(dir, 'zitiscope-worker_bg.wasm'));
  const feed = await startFeed({ dist: dir, args: ['simulate', '--identities', '10'] });
  try {
    const page = await browser.newPage();
    await page.goto(feed.url);
    const problem = page.locator('.config-error');
    await problem.filter({ hasText: 'the worker that listens stopped' }).waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('feed-status').textContent(), /connecting/, 'and no stream pretends to be live');
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
