// The worker's module loader: index.html starts the worker from here, and
// trunk copies it into dist/ beside the worker's wasm (index.html's links).
//
// It asks the feed for its snapshot (`GET /snapshot`) before it loads the
// wasm, so that the feed builds it and the browser receives it while the
// wasm is fetched and compiled; the wasm then starts from it and opens the
// stream after it (`?since=`), which resumes with every batch since
// (crates/worker/src/early.rs). Fetched, the snapshot comes compressed and as
// bytes; over the stream it would come whole, as text, parsed by the
// worker's thread before the wasm could read it (BENCHMARKS.md, "The
// snapshot fetched by the loader").
//
// The wasm takes it only when it is the snapshot of the feed it would
// connect to itself (the core's rule, `client::events_url` and
// `client::feed_api_url`, mirrored below); otherwise, or when the fetch
// fails, it starts as before, from the stream's own snapshot. So this file
// can only fail to save time, never change what is applied.

/** The events URL for the page's query, which travels in the worker's name. */
function eventsUrl() {
  if (!self.name.startsWith('listen')) return null; // not started early by index.html
  const query = new URLSearchParams(self.name.slice('listen'.length));
  const feed = (query.get('feed') ?? '').trim().replace(/\/+$/, '');
  let url = feed === '' ? '/events' : feed.endsWith('/events') ? feed : `${feed}/events`;
  const token = (query.get('token') ?? '').trim();
  if (token !== '') url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  return url;
}

/** `/snapshot` beside the events URL, with its token. */
function snapshotUrl(events) {
  const cut = events.indexOf('?');
  const [base, query] = cut < 0 ? [events, ''] : [events.slice(0, cut), events.slice(cut + 1)];
  let url = `${base.endsWith('/events') ? base.slice(0, -'/events'.length) : base}/snapshot`;
  for (const pair of query.split('&').filter((p) => p.startsWith('token='))) url += `${url.includes('?') ? '&' : '?'}${pair}`;
  return url;
}

try {
  const events = eventsUrl();
  if (events !== null) {
    const url = snapshotUrl(events);
    // The answer's headers, then the bytes of a 200 (null otherwise: the
    // wasm starts from the stream then).
    const response = fetch(url);
    const snapshot = response.then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
    // Handled here too: when the wasm never loads, nobody else waits on it.
    response.catch(() => {});
    self.zitiscopeEarlySnapshot = { url: new URL(url, self.location.href).href, response, snapshot };
  }
} catch {
  // A URL the browser refuses: the wasm connects itself, and shows why not.
}

const { default: init } = await import('./zitiscope-worker.js');
await init();
