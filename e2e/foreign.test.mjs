// A foreign feed: the app pointed (?feed=) at a plain third-party SSE
// producer (producer.mjs) that sends the design note's events as ordinary
// `message`s, with no heartbeat and no snapshot. It must stay live for a
// minute on one connection: no "connecting", no stale banner, no feed
// alert, no watchdog reconnect, through a silence longer than the
// watchdog's 3 heartbeat periods, and its events keep arriving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';
import { startProducer } from './producer.mjs';

const MINUTE = 60_000;
// The producer talks for 20 s, is silent for 20 s (a calm network: more than
// the 15 s after which a silent stream of ours is given up), then talks again.
const EVERY_MS = 400;
const PHASE_TICKS = 20_000 / EVERY_MS;

let browser;
let feed;
let producer;

before(async () => {
  browser = await launchBrowser();
  // The served app may connect to the producer's origin.
  feed = await startFeed({ args: ['--connect-src', 'http://127.0.0.1:*', 'simulate', '--routers', '3', '--identities', '10'] });
  let first = null;
  producer = await startProducer({
    everyMs: EVERY_MS,
    // Counted from the first stream, so the phases are the page's.
    talk: (tick) => {
      if (!producer?.stats.connections) return null;
      first ??= tick;
      const t = tick - first;
      if (Math.floor(t / PHASE_TICKS) % 2 === 1) return null;
      const at = new Date().toISOString();
      if (t % 10 === 0) {
        return { EventType: 'router-to-ctrl', Identity: `edge-${(t / 10) % 3}`, Timestamp: at, SourceIP: '10.1.0.1', IsConnected: true };
      }
      // Identities come and go, so the counters keep moving.
      const up = Math.floor(t / 7) % 2 === 0;
      return { EventType: 'edge-to-router', Identity: `laptop-${t % 7}`, Timestamp: at, SourceIP: `10.0.0.${t % 250}`, IsConnected: up };
    },
  });
});

after(async () => {
  await browser?.close();
  await producer?.close();
  if (feed) await killFeed(feed);
});

test('a plain SSE producer with no heartbeat stays live for a minute on one connection', { timeout: 3 * MINUTE }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.exposeFunction('reportCsp', (v) => errors.push(new Error(`CSP violation: ${v}`)));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.reportCsp(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${feed.url}/?feed=${encodeURIComponent(producer.url)}`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
  assert.equal(producer.stats.connections, 1);

  // Watch what an operator sees, every 250 ms for a minute.
  const look = () => page.evaluate(() => ({
    status: document.querySelector('[data-testid=feed-status]')?.textContent ?? '',
    banner: document.querySelector('[data-testid=feed-banner]')?.textContent ?? null,
    feedAlerts: [...document.querySelectorAll('[data-testid=alert-list] li')]
      .map((li) => li.dataset.rule)
      .filter((rule) => rule?.startsWith('feed')),
    events: Number(document.querySelector('[data-testid=events-applied]')?.textContent),
    routers: Number(document.querySelector('[data-testid=router-online]')?.textContent),
    note: document.querySelector('[data-testid=no-heartbeat]')?.textContent ?? null,
  }));
  const started = Date.now();
  const seen = [];
  for (let now = started; now - started < MINUTE; now = Date.now()) {
    const s = await look();
    const at = `${((now - started) / 1000).toFixed(1)} s`;
    assert.match(s.status, /live/, `the badge left "live" at ${at}`);
    assert.doesNotMatch(s.status, /connecting/, `at ${at}`);
    assert.equal(s.banner, null, `a banner at ${at}`);
    assert.deepEqual(s.feedAlerts, [], `a feed alert at ${at}`);
    assert.equal(producer.stats.connections, 1, `the stream was reopened by ${at}`);
    seen.push({ t: now - started, ...s });
    await page.waitForTimeout(250);
  }

  // The events arrived, in both of the producer's talking spells, and
  // through the silence between them the stream stayed the same one.
  const at = (ms) => seen.findLast((s) => s.t <= ms);
  assert.ok(at(15_000).events > 0, `events by 15 s: ${at(15_000).events}`);
  assert.ok(at(MINUTE).events > at(38_000).events, `no events after the silence: ${at(38_000).events} → ${at(MINUTE).events}`);
  assert.ok(new Set(seen.map((s) => s.events)).size > 20, 'the counter kept moving');
  assert.equal(at(MINUTE).routers, 3, 'the producer\'s routers are online');
  assert.equal(producer.stats.open, 1);
  assert.equal(at(MINUTE).note, 'this feed sends no heartbeat, so staleness cannot be judged');
  await page.screenshot({ path: path.join(ARTIFACTS, 'foreign-feed-live.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
