// Chaos: the feed is killed and restarted while it follows a growing event
// log; the app rides every restart by itself, and at the end its state is
// the feed's, count for count (benchmark-harness issue: feed restarts).
//
// At the end the app's list view equals the feed's `/nodes`, node by node.
// Between restarts every event is counted: once the app has applied up to
// the feed's sequence, the events it applied in this run of the feed equal
// the events the feed published in it, so none was lost or applied twice.
// `make test` runs it at CI size (3 restarts); `make chaos` at full size
// (CHAOS_RESTARTS=20, CHAOS_CHUNK=10000).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, until, feedNodes, listEqualsNodes } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

const ROUTERS = 60;
const IDENTITIES = 600;
const RESTARTS = Number(process.env.CHAOS_RESTARTS ?? 3);
const PER_CHUNK = Number(process.env.CHAOS_CHUNK ?? 2_500);
// A crash after every other chunk: the odd chunks are cut off mid-read, the
// even ones are read whole by a live feed and counted.
const CHUNKS = 2 * RESTARTS + 2;

/** Event `k` of the log: routers and identities connecting and dropping, in time order. */
function event(k) {
  const ts = new Date(Date.UTC(2025, 5, 12, 9) + k * 10).toISOString();
  if (k % 5 === 0) {
    const r = (k / 5) % ROUTERS;
    // A router drops now and then (router-offline), else (re)connects.
    if (k % 35 === 0) return { namespace: 'router', timestamp: ts, event_src_id: 'ctrl1', event_type: 'router-offline', router_id: `edge-${r}`, router_online: false };
    return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'router', dst_type: 'ctrl', src_id: `edge-${r}`, src_addr: '10.0.0.1:1', dst_id: 'ctrl1', dst_addr: '10.0.0.10:6262' };
  }
  const i = k % IDENTITIES;
  // Now and then an identity's SDK goes offline: its router connections drop.
  if (k % 11 === 0) return { namespace: 'sdk', event_src_id: 'ctrl1', timestamp: ts, event_type: 'sdk-offline', identity_id: `laptop-${i}` };
  // Each pass over the identities moves each to the next router, so every
  // router has some, online and offline.
  return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'identity', dst_type: 'router', src_id: `laptop-${i}`, src_addr: '100.64.0.1:1', dst_id: `edge-${(i + Math.floor(k / IDENTITIES)) % ROUTERS}`, dst_addr: '10.0.0.2:3022' };
}

const chunk = (c) => Array.from({ length: PER_CHUNK }, (_, j) => JSON.stringify(event(c * PER_CHUNK + j))).join('\n') + '\n';

const text = (page, id) => page.getByTestId(id).textContent().then(Number);


test(`killed and restarted ${RESTARTS} times while the log grows: every event counted, and the app ends with exactly the feed's state`, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-chaos-'));
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, '');
  const args = ['--heartbeat-ms', '1000', 'file', file, '--from-start', '--poll-ms', '50'];
  let feed = await startFeed({ args });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(feed.url);
    const status = page.getByTestId('feed-status');
    await status.filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    const health = async () => (await fetch(`${feed.url}/healthz`)).json();
    const applied = page.getByTestId('events-applied');
    // The app's events applied, once the feed has read `lines` lines and
    // published every event it read (none waits in its batcher), and the
    // app has applied up to the feed's last sequence. Both are read in the
    // same poll: a batch flushed in between moves the feed's sequence on.
    let progress;
    const settled = async (lines) => {
      let h;
      await until(async () => {
        h = await health();
        const seq = await applied.getAttribute('data-seq');
        progress = { lines: h.sources?.file?.lines, read: h.sources?.file?.events, published: h.events, seq: h.seq, app: seq };
        return h.sources?.file?.lines >= lines && h.sources.file.events === h.events && Number(seq) === h.seq;
      }, () => `waiting for ${lines} lines read, all published and applied: ${JSON.stringify(progress)}`);
      return { app: Number(await applied.textContent()), feed: h.events, seq: h.seq };
    };
    let written = 0;
    let base = await settled(0);
    let restarts = 0;
    let counted = 0;
    for (let c = 0; c < CHUNKS; c++) {
      appendFileSync(file, chunk(c));
      written += PER_CHUNK;
      if (c % 2 === 1 && restarts < RESTARTS) {
        // A crash mid-read, then the same feed again on the same port. It
        // reads the log from the start again; the app gets a snapshot.
        await killFeed(feed);
        await status.filter({ hasText: /reconnecting/ }).waitFor({ timeout: 10_000 });
        feed = await startFeed({ listen: feed.hostPort, args });
        restarts += 1;
        await status.filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
        base = await settled(written);
      } else {
        // Read whole by a live feed: every one of its events reaches the
        // app exactly once.
        const now = await settled(written);
        assert.equal(now.app - base.app, now.feed - base.feed,
          `chunk ${c}: the app applied ${now.app - base.app} events in this run of the feed, which published ${now.feed - base.feed}`);
        assert.equal(now.feed - base.feed, PER_CHUNK, `chunk ${c}: one event a line`);
        counted += now.feed - base.feed;
        base = now;
      }
    }
    assert.equal(restarts, RESTARTS);
    assert.equal(counted, (CHUNKS - RESTARTS) * PER_CHUNK, 'the chunks read whole were counted event by event');
    // The feed has read the whole log…
    const total = CHUNKS * PER_CHUNK;
    const h = await health();
    assert.equal(h.sources.file.lines, total);
    assert.equal(h.sources.file.rejected, 0, 'every line is a good event');
    // …and the app shows exactly its state.
    const want = h.summary;
    const got = async () => ({
      routers: [await text(page, 'router-online'), await text(page, 'router-offline')],
      identities: [await text(page, 'identity-online'), await text(page, 'identity-offline')],
    });
    const expected = {
      routers: [want.routers.online, want.routers.total - want.routers.online],
      identities: [want.identities.online, want.identities.total - want.identities.online],
    };
    // Every router and identity the log names is known, no more.
    const named = (kind) => new Set(Array.from({ length: total }, (_, k) => event(k))
      .filter((e) => e.src_type === kind || (kind === 'identity' && e.namespace === 'sdk')).map((e) => e.src_id ?? e.identity_id)).size;
    assert.equal(want.routers.total, named('router'));
    assert.equal(want.identities.total, named('identity'));
    let seen;
    await until(async () => { seen = await got(); return JSON.stringify(seen) === JSON.stringify(expected); },
      () => `the app shows ${JSON.stringify(seen)}, the feed ${JSON.stringify(expected)}`, 10_000);
    // Node by node, through the list view: each router's and controller's
    // health and identities, as the feed's own store has them (`/nodes`).
    const nodes = await feedNodes(feed);
    assert.equal(nodes.filter(([node]) => node.startsWith('router:')).length, named('router'));
    assert.ok(nodes.some(([, health]) => health === 'down'), 'the log leaves some routers down: a check that can fail');
    assert.ok(nodes.filter(([, , online]) => online > 0).length > ROUTERS / 2, 'most routers have identities online');
    assert.ok(nodes.some(([, , , offline]) => offline > 0), 'and some have identities offline');
    await listEqualsNodes(page, nodes);
    assert.match(await page.getByTestId('rejected').textContent(), /^0 rejected$/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
