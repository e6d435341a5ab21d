// The snapshot the worker's loader fetches while the wasm loads (issue 17;
// crates/worker/src/early.rs): through a proxy that holds the feed's
// `/snapshot` answer back, the two ways a slow fetch can go.
// - The feed has answered and the body is slow (a slow link): the worker
//   waits for it past its watchdog's three heartbeats, and its one stream
//   resumes after it; a second download beside it would only slow both.
// - The feed has not answered at all: the watchdog gives up on the fetch as
//   on a silent stream, and the stream starts with its own snapshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startFeed, killFeed, launchBrowser, until, feedNodes, listEqualsNodes, metric, watchStreams } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

/**
 * The heartbeat the worker judges by until the page has read the feed's
 * settings, which it does once the stream is live: the default, so its
 * watchdog gives a silent stream (or fetch) up after 3 × 5 s.
 */
const HEARTBEAT_MS = 5_000;
/** How long the proxy holds the snapshot back: past the watchdog's 3 heartbeats. */
const HOLD_MS = Number(process.env.HOLD_MS ?? 4 * HEARTBEAT_MS);

/**
 * A proxy in front of `feed` that passes everything through at once, except
 * `/snapshot`: `headers` sends its status and headers at once and its body
 * after `HOLD_MS`; `silent` holds the whole answer back that long.
 */
async function proxy(feed, mode) {
  const target = new URL(feed.url);
  let held = 0;
  const server = http.createServer((req, res) => {
    const slow = new URL(req.url, 'http://x').pathname === '/snapshot';
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      if (!slow) {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        return;
      }
      if (mode === 'headers') {
        res.writeHead(answer.statusCode, answer.headers);
        res.flushHeaders();
      }
      const body = [];
      answer.on('data', (d) => body.push(d));
      answer.on('end', () => held++);
      answer.on('end', () => setTimeout(() => {
        if (mode === 'silent') res.writeHead(answer.statusCode, answer.headers);
        res.end(Buffer.concat(body));
      }, HOLD_MS));
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
    res.on('close', () => up.destroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Snapshots the feed has answered and the proxy holds or held. */
    held: () => held,
    close: () => { server.closeAllConnections(); server.close(); },
  };
}

/** Event `k`: identity `k` connecting to one of 10 routers. */
function event(k) {
  const ts = new Date(Date.UTC(2025, 5, 12, 9) + k).toISOString();
  return { namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'identity', dst_type: 'router', src_id: `laptop-${k}`, src_addr: '100.64.0.1:1', dst_id: `edge-${k % 10}`, dst_addr: '10.0.0.2:3022' };
}

/** Writes events `from..to` to the feed's stdin and waits until it published them. */
async function publish(feed, from, to) {
  let lines = '';
  for (let k = from; k < to; k++) lines += JSON.stringify(event(k)) + '\n';
  feed.child.stdin.write(lines);
  await until(async () => (await (await fetch(`${feed.url}/healthz`)).json()).events === to, () => `${to} events published`, 10_000);
}

for (const mode of ['headers', 'silent']) {
  const what = mode === 'headers'
    ? 'a snapshot whose body comes slowly is waited for past the watchdog, and the one stream resumes after it with nothing lost'
    : 'a snapshot fetch the feed never answers is given up by the watchdog, and the stream starts with its own snapshot';
  test(what, { timeout: 90_000 }, async () => {
    const feed = await startFeed({ stdin: true, args: ['stdin'] });
    const front = await proxy(feed, mode);
    try {
      await publish(feed, 0, 300);
      const page = await browser.newPage();
      const streams = watchStreams(page);
      await page.goto(front.url);
      // The feed has answered the snapshot (the proxy holds it): more events meanwhile.
      await until(() => front.held() > 0, () => 'the proxy got the snapshot', 10_000);
      const held = Date.now();
      await publish(feed, 300, 600);
      await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
      const live = Date.now() - held;
      if (mode === 'headers') {
        assert.ok(live >= HOLD_MS - 100, `live only once the held snapshot came (${live} ms)`);
        assert.deepEqual(streams.map((s) => /since=/.test(s)), [true], `one stream, after the fetched snapshot: ${streams}`);
        assert.equal(await metric(feed.url, 'streams_snapshot_total'), 0, 'no snapshot over the stream');
      } else {
        assert.ok(live < HOLD_MS, `live before the held answer ended: the watchdog gave the fetch up (${live} ms)`);
        assert.deepEqual(streams.map((s) => /since=/.test(s)), [false], `one stream, from its own snapshot: ${streams}`);
        assert.equal(await metric(feed.url, 'streams_snapshot_total'), 1);
      }
      // Nothing lost: the app applied up to the feed's last batch, and shows its network.
      const seq = (await (await fetch(`${feed.url}/healthz`)).json()).seq;
      let at;
      await until(async () => (at = Number(await page.getByTestId('events-applied').getAttribute('data-seq'))) === seq, () => `the app at batch ${at} of ${seq}`, 15_000);
      await listEqualsNodes(page, await feedNodes(feed));
    } finally {
      front.close();
      await killFeed(feed);
    }
  });
}
