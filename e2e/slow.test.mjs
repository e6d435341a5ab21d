// A slow consumer: a proxy between the browser and the feed stops reading,
// as a congested link or a stalled client would. The feed gives that
// client `reset` instead of queueing without bound, its memory stays
// bounded, and once the link moves again the app takes a fresh snapshot
// and is live with no click (benchmark-harness issue: slow consumer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startFeed, killFeed, launchBrowser, metric } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

/** A TCP proxy to `target` whose upstream reads can be paused. */
async function proxy(target) {
  const upstreams = new Map(); // upstream socket → its client socket
  let paused = false;
  const server = net.createServer((client) => {
    const up = net.connect(Number(target.port), target.hostname);
    upstreams.set(up, client);
    client.pipe(up);
    if (paused) up.pause(); else up.pipe(client);
    const drop = () => { client.destroy(); up.destroy(); upstreams.delete(up); };
    client.on('error', drop); up.on('error', drop); client.on('close', drop); up.on('close', drop);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    // Stops reading what the feed sends (the pipe would resume it: unpipe first).
    stall() { paused = true; for (const u of upstreams.keys()) { u.unpipe(); u.pause(); } },
    flow() { paused = false; for (const [u, client] of upstreams) u.pipe(client); },
    close() { for (const u of upstreams.keys()) u.destroy(); server.close(); },
    upstreams,
  };
}

const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);

test('a client that stops reading gets reset, the feed stays bounded, the app recovers by itself', async () => {
  // A busy stream, a short client queue and a small replay ring.
  // A long heartbeat keeps the app's watchdog (3 heartbeats of silence) out
  // of it. The stall takes ~20 s here: with the default 5 s heartbeat the
  // watchdog replaced the silent stream before the reset came, so the reset
  // path went untested (and a fresh-clone run saw a third stream).
  const feed = await startFeed({ args: ['--heartbeat-ms', '60000', '--client-queue', '16', '--replay', '64', 'simulate', '--routers', '20', '--identities', '400', '--rate', '8000'] });
  const p = await proxy(new URL(feed.url));
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    let streams = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/events') streams += 1; });
    await page.goto(p.url);
    const status = page.getByTestId('feed-status');
    await status.filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    const before = rssKiB(feed.child.pid);
    assert.equal(await metric(feed.url, 'client_resets_total'), 0);

    p.stall();
    // Once the socket buffers are full, the feed stops sending to it, and the
    // client's lag passes its queue: it is past saving.
    const lag = async () => Math.max(0, ...[...(await (await fetch(`${feed.url}/metrics`)).text())
      .matchAll(/^zitiscope_feed_client_lag_batches\{[^}]*\} (\d+)/gm)].map((m) => Number(m[1])));
    const deadline = Date.now() + 90_000;
    while ((await lag()) <= 16) {
      assert.ok(Date.now() < deadline, `the stalled client never fell behind its queue (lag ${await lag()})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const grown = rssKiB(feed.child.pid) - before;
    assert.ok(grown < 64 * 1024, `the feed grew ${grown} KiB while the client stalled`);

    // The link moves again: the feed sends it `reset` (and drops it), the app
    // reconnects by itself and starts again from a snapshot.
    assert.equal(streams, 1, 'still the first stream: the reset, not the watchdog, opens the next');
    p.flow();
    const resetBy = Date.now() + 30_000;
    while (!((await metric(feed.url, 'client_resets_total')) > 0)) {
      assert.ok(Date.now() < resetBy, 'the client that fell behind was never reset');
      await new Promise((r) => setTimeout(r, 250));
    }
    // A new stream (the reset asked for it), and live on it.
    const reconnectBy = Date.now() + 30_000;
    while (streams < 2) {
      assert.ok(Date.now() < reconnectBy, 'the app never opened a new stream after its reset');
      await new Promise((r) => setTimeout(r, 100));
    }
    await status.filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    const health = await (await fetch(`${feed.url}/healthz`)).json();
    const total = async () => Number(await page.getByTestId('router-online').textContent()) + Number(await page.getByTestId('router-offline').textContent());
    const until = Date.now() + 10_000;
    while ((await total()) !== health.summary.routers.total) {
      assert.ok(Date.now() < until, `the app knows ${await total()} routers, the feed ${health.summary.routers.total}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Recovered, not caught in a loop of resets: the stream holds.
    const resets = await metric(feed.url, 'client_resets_total');
    const opened = streams;
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await metric(feed.url, 'client_resets_total'), resets, 'no further reset');
    assert.equal(streams, opened, 'the new stream holds');
    assert.match(await status.textContent(), /live/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    p.close();
    await killFeed(feed);
  }
});
