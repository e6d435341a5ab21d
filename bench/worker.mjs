// The app's worker as the benchmarks see it (see crates/core/src/sync): the
// worker holds the stream, the store and the alert engine; the page applies
// the updates it sends and draws. Each side publishes what the crossing
// costs it, updated with every update:
// - the worker `self.zitiscopeWorker = { events, updates, bytes, encodeMs, wasmBytes }`
//   (crates/worker, its `expose`; `updates` is the last update's number);
// - the page `window.zitiscopePage = { updates, bytes, decodeMs, applyMs }`
//   (src/feed/mod.rs, `Crossing`).
// Here: how to reach the worker (Playwright's handle, a CDP session in it),
// and the crossing's cost over a measured window.

const isAppWorker = (url) => /\/zitiscope-worker_loader\.js$/.test(new URL(url).pathname);

/**
 * The app's worker (Playwright's handle): the one `page` runs, or the next
 * it starts.
 */
export async function appWorker(page) {
  const is = (w) => isAppWorker(w.url());
  return page.workers().find(is) ?? page.waitForEvent('worker', { predicate: is, timeout: 60_000 });
}

/**
 * A CDP session in the app's worker, through the page's session `cdp`
 * (Playwright opens none on a dedicated worker). The page's session
 * auto-attaches to the worker unflattened, so the worker's messages travel
 * inside `Target.sendMessageToTarget` / `Target.receivedMessageFromTarget`
 * on `cdp` (Playwright's own flattened session to the worker is untouched).
 * Works before `page.goto` (the session attaches once the worker starts)
 * and after (it attaches to the running one). Returns `{ send(method, params) }`.
 */
export async function workerCDP(cdp, { timeout = 60_000 } = {}) {
  let onAttached;
  const attached = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no worker target attached in ${timeout} ms`)), timeout);
    timer.unref();
    onAttached = (e) => {
      if (e.targetInfo.type === 'worker' && isAppWorker(e.targetInfo.url)) {
        clearTimeout(timer);
        resolve(e.sessionId);
      }
    };
    cdp.on('Target.attachedToTarget', onAttached);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const sessionId = await attached.finally(() => cdp.off('Target.attachedToTarget', onAttached));
  const pending = new Map();
  let id = 0;
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(new Error(`worker ${p.method}: ${m.error.message}`));
    else p.resolve(m.result);
  });
  cdp.on('Target.detachedFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    for (const p of pending.values()) p.reject(new Error(`worker ${p.method}: the worker's target detached`));
    pending.clear();
  });
  return {
    send(method, params = {}) {
      return new Promise((resolve, reject) => {
        const n = ++id;
        pending.set(n, { resolve, reject, method });
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: n, method, params }) }).catch((err) => {
          pending.delete(n);
          reject(err);
        });
      });
    },
  };
}

/** The main thread's busy time (ms) so far, from Chromium's own counters (needs `Performance.enable` on `cdp`). */
export async function busyMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * metrics.find((m) => m.name === 'TaskDuration').value;
}

/**
 * Where the crossing stands now: both sides' counters, the page's
 * main-thread busy time and this process's clock. With no `worker` (the
 * baseline page) only the busy time and the clock.
 */
export async function crossingMark(page, worker, cdp) {
  const [w, p, busy] = await Promise.all([
    worker ? worker.evaluate(() => self.zitiscopeWorker ?? null) : null,
    worker ? page.evaluate(() => window.zitiscopePage ?? null) : null,
    busyMs(cdp),
  ]);
  return { t: performance.now(), busyMs: busy, worker: w, page: p };
}

/**
 * The crossing's cost between two marks: per update, its JSON's bytes and
 * the worker's encoding, the page's decoding and applying (signals set,
 * not the redraws that follow) times; updates per second; and the share of
 * the page's main-thread time that decoding and applying took, of its busy
 * time (`TaskDuration`) and of the wall time. `updates` the page applied,
 * `workerUpdates` the worker sent (at a mark one may still be on its way),
 * `events` the worker's store applied. Null without both sides' counters
 * at both marks.
 */
export function crossingCost(a, b) {
  const windowMs = b.t - a.t;
  const mainBusyMs = b.busyMs - a.busyMs;
  if (!a.worker || !b.worker || !a.page || !b.page) return null;
  const d = (side, k) => b[side][k] - a[side][k];
  const updates = d('page', 'updates');
  const workerUpdates = d('worker', 'updates');
  const crossingMs = d('page', 'decodeMs') + d('page', 'applyMs');
  return {
    windowMs,
    updates,
    workerUpdates,
    events: d('worker', 'events'),
    updatesPerSecond: updates / (windowMs / 1000),
    perUpdate: {
      bytes: d('page', 'bytes') / updates,
      workerBytes: d('worker', 'bytes') / workerUpdates,
      encodeMs: d('worker', 'encodeMs') / workerUpdates,
      decodeMs: d('page', 'decodeMs') / updates,
      applyMs: d('page', 'applyMs') / updates,
    },
    mainBusyMs,
    crossingMs,
    shareOfBusy: crossingMs / mainBusyMs,
    shareOfWall: crossingMs / windowMs,
  };
}
