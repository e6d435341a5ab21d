// The map's frame rate and cold start in Debian's headless chromium, against
// the real release build and the real feed (see BENCHMARKS.md).
//
//   node bench/map.mjs            (after `make build feed`; run from the repo root)
//
// `make bench` runs the same figures through bench/run.mjs, which imports
// `frameRate` and `coldStart` from here.
//
// 1. Frame rate: the simulate source at 2,000 nodes (3 controllers, 1,997
//    routers, ~4,000 links) at 1,000 events/s. Counts animation frames for
//    10 s while the map redraws on every change, and reports the time the
//    map's own draws take (the app records them while
//    `window.zitiscopeTrace` is set). Then the same while the map is dragged
//    (a pointer moved every frame: a full redraw each frame). Baseline, same
//    run: a blank page with a canvas, counting frames the same way (the
//    browser's ceiling on this machine). Over the streaming window, also
//    what crossing from the worker to the page costs (see worker.mjs).
// 2. Cold start: a 300-router / 20,000-identity network. From navigation to
//    first contentful paint, and to the first draw of the full map (the
//    app's `zitiscope:first-map` performance mark).
import { startFeed, killFeed, launchBrowser } from '../e2e/feed.mjs';
import { appWorker, busyMs, crossingMark, crossingCost } from './worker.mjs';

const SECONDS = Number(process.env.SECONDS_MEASURED ?? 10);

/** Counts rAF callbacks for `seconds` in the page; returns frames per second. */
async function fps(page, seconds) {
  return page.evaluate((s) => new Promise((resolve) => {
    let frames = 0;
    const t0 = performance.now();
    const tick = (t) => {
      frames += 1;
      if (t - t0 < s * 1000) requestAnimationFrame(tick); else resolve(frames / ((t - t0) / 1000));
    };
    requestAnimationFrame(tick);
  }), seconds);
}

/**
 * Frames per second while the map is dragged: a pointer is pressed on the
 * canvas and moved on every animation frame (the app pans and redraws the
 * whole map each time), for `seconds`.
 */
async function panFps(page, seconds) {
  return page.evaluate((s) => new Promise((resolve) => {
    const c = document.querySelector('[data-testid=map-canvas]');
    const r = c.getBoundingClientRect();
    // Pressed in the fit's empty margin (bottom right), so that the drag
    // pans the map: a press on a node or a group would move it instead.
    const at = (dx) => ({ clientX: r.right - 20 - dx, clientY: r.bottom - 20, pointerId: 1, bubbles: true });
    c.dispatchEvent(new PointerEvent('pointerdown', at(0)));
    let frames = 0;
    const t0 = performance.now();
    const tick = (t) => {
      frames += 1;
      // Back and forth over 400 px, so the map stays in view.
      c.dispatchEvent(new PointerEvent('pointermove', at(200 - 200 * Math.cos(frames / 20))));
      if (t - t0 < s * 1000) requestAnimationFrame(tick);
      else {
        c.dispatchEvent(new PointerEvent('pointerup', at(0)));
        resolve(frames / ((t - t0) / 1000));
      }
    };
    requestAnimationFrame(tick);
  }), seconds);
}

/** Runs `f` and reports the share of its wall time the main thread was busy. */
async function busy(cdp, f) {
  const [b0, t0] = [await busyMs(cdp), Date.now()];
  const value = await f();
  return { value, busy: (await busyMs(cdp) - b0) / (Date.now() - t0) };
}

/** Sorted draw times recorded since the last clear; clears them. */
async function takeDraws(page) {
  const draws = await page.evaluate(() => {
    const d = performance.getEntriesByName('zitiscope:draw').map((m) => m.duration);
    performance.clearMeasures('zitiscope:draw');
    return d;
  });
  draws.sort((a, b) => a - b);
  const q = (p) => draws[Math.min(draws.length - 1, Math.floor(p * draws.length))] ?? NaN;
  return { count: draws.length, p50: q(0.5), p99: q(0.99) };
}

/** Frame rate, main-thread load and draws, streaming and then dragging; the crossing's cost while streaming. */
async function streamFigures(page, cdp, worker) {
  // The app records each draw as a performance measure while this flag is set.
  await page.evaluate(() => { performance.clearMeasures('zitiscope:draw'); window.zitiscopeTrace = true; });
  const start = await crossingMark(page, worker, cdp);
  const idle = await busy(cdp, () => fps(page, SECONDS));
  const crossing = crossingCost(start, await crossingMark(page, worker, cdp));
  const idleDraws = await takeDraws(page);
  const drag = await busy(cdp, () => panFps(page, SECONDS));
  const dragDraws = await takeDraws(page);
  return {
    fps: idle.value, busy: idle.busy, draws: idleDraws, crossing,
    panFps: drag.value, panBusy: drag.busy, panDraws: dragDraws,
  };
}

async function waitLive(page, routers) {
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=router-online]')?.textContent) + Number(document.querySelector('[data-testid=router-offline]')?.textContent) === n,
    routers, { timeout: 60_000 });
}

/** Runs `f` on the app, live on a simulated network of `routers` routers (and 3 controllers) at 1k events/s. */
async function onMap(browser, routers, f) {
  const feed = await startFeed({ args: ['simulate', '--routers', String(routers), '--identities', '20000', '--rate', '1000'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(feed.url);
    await waitLive(page, routers);
    await f({ page, cdp, worker: await appWorker(page) });
    await page.close();
  } finally {
    await killFeed(feed);
  }
}

/** Frame rate: a blank canvas (the baseline), then the map at 2,000 nodes and 1k events/s, as it is and with the CPU slowed 4×, and at 10,000 routers collapsed and open. */
export async function frameRate(browser) {
  const results = {};
  // Baseline: a blank canvas page.
  {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.setContent('<canvas width="1400" height="700"></canvas>');
    results.baselineFps = await fps(page, SECONDS);
    await page.close();
  }
  // The map at 2,000 nodes, 1k events/s, every router drawn (a network this
  // big starts collapsed to its groups; "Routers" opens them all): as it
  // is, then with the CPU slowed 4× (Chromium's own throttling), which
  // stands for a slower machine.
  await onMap(browser, 1997, async ({ page, cdp, worker }) => {
    await page.getByTestId('map-expand-all').click();
    results.map = await streamFigures(page, cdp, worker);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    results.map4x = await streamFigures(page, cdp, worker);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  });
  // 10,000 routers at 1k events/s: as the map starts (collapsed to its
  // groups), then with every router drawn.
  await onMap(browser, 9997, async ({ page, cdp, worker }) => {
    results.big = await streamFigures(page, cdp, worker);
    await page.getByTestId('map-expand-all').click();
    results.bigOpen = await streamFigures(page, cdp, worker);
  });
  return results;
}

/**
 * Cold start at 300 routers / 20k identities: three page loads, each timed
 * from navigation; over `link` ({ mbit, latencyMs }) when given, as a screen
 * at a remote site loads it.
 */
export async function coldStart(browser, { link } = {}) {
  const feed = await startFeed({ args: ['simulate', '--routers', '300', '--identities', '20000', '--rate', '200'] });
  try {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      if (link) {
        // Chromium's own throttling, which its workers' requests obey too.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.enable');
        const bytesPerSecond = (link.mbit * 1e6) / 8;
        await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: link.latencyMs, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond });
      }
      await page.goto(feed.url);
      await page.waitForFunction(() => performance.getEntriesByName('zitiscope:first-map').length > 0, null, { timeout: 60_000 });
      runs.push(await page.evaluate(() => {
        const at = (name) => performance.getEntriesByName(name)[0]?.startTime;
        const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
        return {
          fcp: at('first-contentful-paint'),
          appMounted: at('zitiscope:app-mounted'),
          wasmLoaded: wasm?.responseEnd,
          snapshotReceived: at('zitiscope:snapshot-received'),
          snapshotApplied: at('zitiscope:snapshot-applied'),
          map: at('zitiscope:first-map'),
        };
      }));
      await page.close();
    }
    return runs;
  } finally {
    await killFeed(feed);
  }
}

/** The median of `xs`. */
export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Run on its own: print the figures as JSON and a Markdown table.
if (import.meta.url === `file://${process.argv[1]}`) {
  const browser = await launchBrowser();
  const results = {};
  try {
    Object.assign(results, await frameRate(browser));
    results.coldStart = await coldStart(browser);
  } finally {
    await browser.close();
  }
  print(results);
}

/** Prints the figures as JSON and as a Markdown table. */
function print(results) {
  const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
  console.log(JSON.stringify(results, null, 2));
  console.log('\n| figure | value | baseline (same run) | ratio |\n|---|---:|---:|---:|');
  const pct = (x) => `${(100 * x).toFixed(0)}%`;
  for (const [label, m] of [['', results.map], [', CPU slowed 4×', results.map4x]]) {
    console.log(`| frame rate, 2,000 nodes at 1k events/s${label} | ${f1(m.fps)} fps (main thread ${pct(m.busy)} busy; ${m.draws.count} draws, p50 ${f1(m.draws.p50)} / p99 ${f1(m.draws.p99)} ms) | ${f1(results.baselineFps)} fps (blank canvas) | ${(m.fps / results.baselineFps).toFixed(2)} |`);
    console.log(`| frame rate while dragging the map${label} | ${f1(m.panFps)} fps (main thread ${pct(m.panBusy)} busy; ${m.panDraws.count} draws, p50 ${f1(m.panDraws.p50)} ms) | ${f1(results.baselineFps)} fps | ${(m.panFps / results.baselineFps).toFixed(2)} |`);
    const c = m.crossing;
    if (c) console.log(`| crossing: worker → page updates${label} | ${f1(c.perUpdate.bytes)} B, encode ${c.perUpdate.encodeMs.toFixed(2)} / decode ${c.perUpdate.decodeMs.toFixed(2)} / apply ${c.perUpdate.applyMs.toFixed(2)} ms per update; ${f1(c.updatesPerSecond)} updates/s; decode + apply ${pct(c.shareOfBusy)} of the main thread's busy time | — | — |`);
  }
  const med = median;
  console.log(`| cold start, 300 routers / 20k identities: first paint | ${f1(med(results.coldStart.map((r) => r.fcp)))} ms | — | — |`);
  console.log(`| cold start: first full map | ${f1(med(results.coldStart.map((r) => r.map)))} ms (median of 3) | — | — |`);
  for (const key of ['wasmLoaded', 'snapshotReceived', 'snapshotApplied']) {
    console.log(`| cold start: ${key} | ${f1(med(results.coldStart.map((r) => r[key])))} ms | — | — |`);
  }
}
