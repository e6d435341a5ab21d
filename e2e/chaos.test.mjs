// Chaos: the feed is killed and restarted while it follows a growing event
// log; the app rides every restart by itself, and at the end its state is
// the feed's, count for count (benchmark-harness issue: feed restarts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

const ROUTERS = 60;
const IDENTITIES = 600;
const CHUNKS = 8;
const PER_CHUNK = 2_500;

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
  return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'identity', dst_type: 'router', src_id: `laptop-${i}`, src_addr: '100.64.0.1:1', dst_id: `edge-${(i * 7 + k) % ROUTERS}`, dst_addr: '10.0.0.2:3022' };
}

const chunk = (c) => Array.from({ length: PER_CHUNK }, (_, j) => JSON.stringify(event(c * PER_CHUNK + j))).join('\n') + '\n';

const text = (page, id) => page.getByTestId(id).textContent().then(Number);

test('killed and restarted 3 times while the log grows: the app ends with exactly the feed\'s state', async () => {
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
    for (let c = 0; c < CHUNKS; c++) {
      appendFileSync(file, chunk(c));
      if (c % 3 === 1) {
        // A crash mid-stream, then the same feed again on the same port.
        await killFeed(feed);
        await status.filter({ hasText: /reconnecting/ }).waitFor({ timeout: 10_000 });
        feed = await startFeed({ listen: feed.hostPort, args });
        await status.filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
      } else {
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    // The feed has read the whole log…
    const total = CHUNKS * PER_CHUNK;
    const deadline = Date.now() + 30_000;
    let health;
    for (;;) {
      health = await (await fetch(`${feed.url}/healthz`)).json();
      if (health.sources?.file?.lines >= total) break;
      assert.ok(Date.now() < deadline, `the feed read ${health.sources?.file?.lines} of ${total} lines`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(health.sources.file.rejected, 0, 'every line is a good event');
    // …and the app shows exactly its state.
    const want = health.summary;
    const got = async () => ({
      routers: [await text(page, 'router-online'), await text(page, 'router-offline')],
      identities: [await text(page, 'identity-online'), await text(page, 'identity-offline')],
    });
    const expected = {
      routers: [want.routers.online, want.routers.total - want.routers.online],
      identities: [want.identities.online, want.identities.total - want.identities.online],
    };
    // Every router and identity the log names is known, no more.
    const named = (kind) => new Set(Array.from({ length: total }, (_, k) => event(k)).filter((e) => e.src_type === kind).map((e) => e.src_id)).size;
    assert.equal(want.routers.total, named('router'));
    assert.equal(want.identities.total, named('identity'));
    const until = Date.now() + 10_000;
    let seen = await got();
    while (JSON.stringify(seen) !== JSON.stringify(expected)) {
      assert.ok(Date.now() < until, `the app shows ${JSON.stringify(seen)}, the feed ${JSON.stringify(expected)}`);
      await new Promise((r) => setTimeout(r, 100));
      seen = await got();
    }
    assert.match(await page.getByTestId('rejected').textContent(), /^0 rejected$/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});
