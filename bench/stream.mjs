// Ingest and event-to-pixel, in Debian's headless chromium, for the real app
// and for a baseline page in the same run (see BENCHMARKS.md).
//
// Both pages read the same feed the same way: the real zitiscope-feed, its
// `stdin` source fed by this process with controller events (events.mjs).
// - The app is the release build the feed serves.
// - The baseline is a plain page on the feed's origin that opens an
//   EventSource on `/events` and only `JSON.parse`s every message: the
//   browser's and the feed's ceiling for this stream, with no app at all.
import { startFeed, killFeed } from '../e2e/feed.mjs';
import { network, setupLines, churnLine, routerOnline, writeAll, paced, waitHealth } from './events.mjs';
import { appWorker, crossingMark, crossingCost } from './worker.mjs';

/** The feed's resets and its single client's lag, from `/metrics`. */
async function feedMetrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name) => Number(text.match(new RegExp(`^zitiscope_feed_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1] ?? NaN);
  return { resets: metric('client_resets_total') };
}

/** A feed on `stdin` with `net` brought up, every setup line applied. */
async function feedWithNetwork(net, args = []) {
  // A deep client queue: when a page falls behind, the backlog waits in the
  // feed instead of costing a reset, so the rate measured is the page's own.
  const feed = await startFeed({ stdin: true, args: ['--client-queue', '100000', ...args, 'stdin'] });
  const setup = setupLines(net);
  await writeAll(feed.child.stdin, setup);
  await waitHealth(feed.url, (h) => h.sources?.stdin?.events >= setup.length, 60_000, 'network setup');
  return feed;
}

// The baseline page's script: an EventSource that parses every message and
// counts events. `__open` resolves once the snapshot came; `__until(n)` once
// `n` events have come since, with the times of the first and the last.
const BASELINE = `
  window.__open = (url) => new Promise((resolve) => {
    const es = new EventSource(url + '/events');
    window.__es = es;
    window.__n = 0;
    window.__first = null;
    window.__last = null;
    window.__probeSeen = [];
    window.__onProbe = null;
    es.addEventListener('snapshot', (e) => { JSON.parse(e.data); resolve(); });
    es.addEventListener('batch', (e) => {
      const events = JSON.parse(e.data);
      const t = performance.now();
      window.__n += events.length;
      if (window.__first === null) window.__first = { t, n: window.__n };
      window.__last = { t, n: window.__n };
      if (window.__onProbe) for (const ev of events) {
        const m = /^probe-(\\d+)$/.exec(ev.body?.conn?.src ?? '');
        if (m) window.__onProbe(Number(m[1]));
      }
    });
  });
  window.__until = (target, ms) => new Promise((resolve) => {
    const until = performance.now() + ms;
    const check = () => {
      if (window.__n >= target || performance.now() > until) resolve({ first: window.__first, last: window.__last, timedOut: window.__n < target });
      else setTimeout(check, 5);
    };
    check();
  });
`;

// The app page's counterpart: it reads the app's own footer counter once a
// frame (the app publishes it on every frame that applied something).
const APP = `
  window.__until = (target, ms) => new Promise((resolve) => {
    const el = document.querySelector('[data-testid=events-applied]');
    const base = window.__base;
    const until = performance.now() + ms;
    let first = null;
    let last = null;
    const tick = () => {
      const n = Number(el.textContent) - base;
      const t = performance.now();
      if (n > 0 && first === null) first = { t, n };
      if (n > (last?.n ?? 0)) last = { t, n };
      if (n >= target || t > until) resolve({ first, last, timedOut: n < target });
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
`;

/**
 * Opens `kind` ('app' or 'baseline') on `feed` and waits until it is live;
 * `worker` is the app's worker (none for the baseline).
 */
async function openPage(browser, kind, feed) {
  // The baseline runs its script on the feed's origin (same-origin
  // EventSource), where the feed's CSP would refuse an injected script.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, bypassCSP: kind === 'baseline' });
  const page = await context.newPage();
  let worker = null;
  if (kind === 'baseline') {
    await page.goto(`${feed.url}/healthz`);
    await page.evaluate(BASELINE);
    await page.evaluate((url) => window.__open(url), feed.url);
  } else {
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
    await page.evaluate(APP);
    await page.evaluate(() => { window.__base = Number(document.querySelector('[data-testid=events-applied]').textContent); });
    worker = await appWorker(page);
  }
  return { page, context, worker };
}

/**
 * Ingest: `events` churn events written into the feed as fast as it reads
 * them; the page's sustained rate is events over the time from the first
 * to the last one it applied. Lost = events that never arrived (within
 * 120 s); resets = the feed dropped the page for falling behind. `args`
 * go to the feed. `during(feed, {t0, total})` starts with the first write
 * and `after(feed, {net, total})` runs once all is in: each measures more
 * on the feed, and their fields join the result.
 *
 * Also, from just before the first write until the page applied the last
 * event: the page's main-thread busy share (`busy`) and, for the app, what
 * crossing from the worker to the page cost (`crossing`, see worker.mjs).
 */
export async function ingest(browser, kind, { events = 500_000, routers = 100, identities = 10_000, args = [], during, after } = {}) {
  const net = network({ routers, identities });
  const feed = await feedWithNetwork(net, args);
  try {
    const { page, context, worker } = await openPage(browser, kind, feed);
    // The main thread's busy time, for both kinds alike.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const lines = Array.from({ length: events }, (_, c) => churnLine(net, c));
    const start = await crossingMark(page, worker, cdp);
    const done = page.evaluate(([n]) => window.__until(n, 120_000), [events]);
    const t0 = performance.now();
    const watched = during?.(feed, { t0, total: routers + identities + events });
    await writeAll(feed.child.stdin, lines);
    const fed = await waitHealth(feed.url, (h) => h.events >= routers + identities + events, 120_000, 'ingest');
    const feedMs = performance.now() - t0;
    const r = await done;
    const end = await crossingMark(page, worker, cdp);
    const { resets } = await feedMetrics(feed.url);
    await context.close();
    // What else the caller measures on this feed (the history figure):
    // while the events go in, and once they are all in.
    const more = { ...(await watched), ...(after ? await after(feed, { net, total: fed.events }) : {}) };
    const applied = r.last?.n ?? 0;
    const rate = r.first && r.last && r.last.t > r.first.t ? (r.last.n - r.first.n) / ((r.last.t - r.first.t) / 1000) : NaN;
    const busy = (end.busyMs - start.busyMs) / (end.t - start.t);
    return { kind, events, applied, lost: events - applied, resets, rate, feedRate: fed.events / (feedMs / 1000), busy, crossing: crossingCost(start, end), ...more };
  } finally {
    await killFeed(feed);
  }
}

// Probe timing in the page: `__armProbes(onSeen)` calls back with each
// probe's number once the page has shown it, at the end of the rendering
// step that first includes it (a message posted from that frame's
// animation callback runs after the frame is painted).
const PROBE_CLOCK = `
  window.__probeTimes = [];
  window.__painted = (ks) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { const t = performance.timeOrigin + performance.now(); for (const k of ks) window.__probeTimes[k] = t; };
    ch.port2.postMessage(0);
  };
`;

// The app shows a probe (a new router coming online) in its router counter.
// The counter changes when the worker's update is applied, between frames;
// the first paint that shows it is the next frame's, so the probe is timed
// as the baseline's is: at the end of the next animation frame.
const APP_PROBES = `
  window.__armProbes = () => {
    const el = document.querySelector('[data-testid=router-online]');
    const base = Number(el.textContent);
    let shown = 0;
    new MutationObserver(() => {
      const n = Number(el.textContent) - base;
      if (n > shown) {
        const ks = [];
        for (let k = shown; k < n; k++) ks.push(k);
        shown = n;
        requestAnimationFrame(() => window.__painted(ks));
      }
    }).observe(el, { childList: true, characterData: true, subtree: true });
  };
`;

// The baseline shows nothing: it asks for the next frame when a probe
// arrives, which is the earliest any page could paint it.
const BASELINE_PROBES = `
  window.__armProbes = () => {
    window.__onProbe = (k) => requestAnimationFrame(() => window.__painted([k]));
  };
`;

/**
 * Event-to-pixel: churn at `rate` events/s for `seconds`, with a probe (a new
 * router's `router-online`) every 100 ms. A probe's latency is the time from
 * just before this process writes it into the feed's stdin to the end of the
 * page's first paint that shows it; both clocks are this machine's wall
 * clock (`performance.timeOrigin + performance.now()`). `animate`: the page
 * also asks for every frame (see below).
 */
export async function eventToPixel(browser, kind, { rate = 5_000, seconds = 20, routers = 100, identities = 10_000, animate = false } = {}) {
  const net = network({ routers, identities });
  const feed = await feedWithNetwork(net);
  try {
    const { page, context } = await openPage(browser, kind, feed);
    await page.evaluate(PROBE_CLOCK + (kind === 'app' ? APP_PROBES : BASELINE_PROBES));
    await page.evaluate(() => window.__armProbes());
    // A page that asks for every frame, as one that draws a live map does:
    // its frames come on the display's beat. A page that asks for a frame
    // only when a probe arrives may get one at once (headless Chromium
    // does), which no page that draws continuously can.
    if (animate) await page.evaluate(() => { const f = () => requestAnimationFrame(f); f(); });
    const sentAt = [];
    let nextProbe = performance.now() + 500;
    await paced(feed.child.stdin, net, {
      rate,
      seconds,
      onTick: (now) => {
        if (now < nextProbe) return [];
        nextProbe += 100;
        sentAt.push(performance.timeOrigin + performance.now());
        return [routerOnline(net, `probe-${sentAt.length - 1}`)];
      },
    });
    // Every probe is shown (or the figure says how many were not).
    const until = Date.now() + 10_000;
    let shown = [];
    while (Date.now() < until) {
      shown = await page.evaluate(() => window.__probeTimes);
      if (shown.filter((t) => t != null).length >= sentAt.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await context.close();
    const latencies = sentAt.map((t, k) => (shown[k] == null ? null : shown[k] - t)).filter((x) => x !== null).sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return { kind, rate, probes: sentAt.length, shown: latencies.length, p50: q(0.5), p99: q(0.99), max: latencies.at(-1) };
  } finally {
    await killFeed(feed);
  }
}
