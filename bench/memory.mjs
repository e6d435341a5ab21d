// Memory: the app's JS heaps and wasm linear memories, the worker's and the
// page's together, after 10k events, after 1M and after 2M, in Debian's
// headless chromium (see BENCHMARKS.md). The goal compares 1M with 10k; 2M
// against 1M shows whether it has levelled.
//
// Four parts, each reported: the page's JS heap after a full collection
// (the page's CDP session), the page's wasm memory (trunk's loader
// announces the instance), the worker's JS heap after a full collection (a
// CDP session in the worker, see worker.mjs) and the worker's wasm memory
// (`self.zitiscopeWorker.wasmBytes`, as of the last update it sent).
//
// The page is opened on an empty feed (`stdin` source) first, so every event,
// the network's setup included, reaches it as a live batch. The network is
// fixed (`routers`, `identities`), so after the first round of churn the
// store tracks no new connections: what grows after that is history (each
// connection keeps its 16 newest observations) and anything that leaks.
import { startFeed, killFeed } from '../e2e/feed.mjs';
import { network, setupLines, churnLine, writeAll } from './events.mjs';
import { appWorker, workerCDP } from './worker.mjs';

/** Waits until the app's footer says it applied `n` events. */
async function applied(page, n) {
  await page.waitForFunction((want) => Number(document.querySelector('[data-testid=events-applied]')?.textContent) >= want, n, { timeout: 300_000, polling: 200 });
  return Number(await page.getByTestId('events-applied').textContent());
}

/**
 * The page's and the worker's JS heaps in use after a full collection, and
 * their wasm modules' linear memories, in bytes; `total` is the four
 * together. `workerEvents`: the events the worker's store applied.
 */
async function heap(page, cdp, worker, workerSession) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize: pageJs } = await cdp.send('Runtime.getHeapUsage');
  const pageWasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? NaN);
  await workerSession.send('HeapProfiler.collectGarbage');
  const { usedSize: workerJs } = await workerSession.send('Runtime.getHeapUsage');
  const own = await worker.evaluate(() => self.zitiscopeWorker ?? null);
  const workerWasm = own?.wasmBytes ?? NaN;
  return { pageJs, pageWasm, workerJs, workerWasm, total: pageJs + pageWasm + workerJs + workerWasm, workerEvents: own?.events ?? NaN };
}

export async function memory(browser, { small = 10_000, large = 1_000_000, larger = 2_000_000, routers = 50, identities = 5_000 } = {}) {
  const net = network({ routers, identities });
  const feed = await startFeed({ stdin: true, args: ['--client-queue', '100000', 'stdin'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    // trunk's loader announces the instance; its memory is the wasm heap.
    await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail.wasm.memory; }));
    const cdp = await context.newCDPSession(page);
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
    // Live: the worker holds the stream, so it runs.
    const worker = await appWorker(page);
    const workerSession = await workerCDP(cdp);
    const setup = setupLines(net);
    let c = 0;
    const churn = (upTo) => {
      const lines = [];
      for (; setup.length + c < upTo; c++) lines.push(churnLine(net, c));
      return lines;
    };
    await writeAll(feed.child.stdin, [...setup, ...churn(small)]);
    const atSmall = { events: await applied(page, small), ...(await heap(page, cdp, worker, workerSession)) };
    // The rest in slices, so this process never holds a million lines.
    const upTo = async (n) => {
      for (let at = setup.length + c; at < n;) {
        at = Math.min(at + 100_000, n);
        await writeAll(feed.child.stdin, churn(at));
      }
      return { events: await applied(page, n), ...(await heap(page, cdp, worker, workerSession)) };
    };
    const atLarge = await upTo(large);
    const atLarger = await upTo(larger);
    return { routers, identities, atSmall, atLarge, atLarger, growth: atLarge.total - atSmall.total, growthAfter: atLarger.total - atLarge.total };
  } finally {
    await context.close();
    await killFeed(feed);
  }
}
