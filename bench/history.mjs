// The history's figure (see BENCHMARKS.md): what keeping every event in
// SQLite costs the live path, and how fast the history is written and read.
//
// The same 500k-event ingest as the `ingest` figure, into the real app,
// with the feed's history on (`--history`, a fresh file) and off
// (`--no-history`, the baseline), in alternating runs. With it on, after
// the ingest: how long the writer took to hold every event, the batches it
// missed, the file's size, and the time of `GET /state?at=` (checkpoint
// plus replay) and of a 10,000-event `GET /history` page at moments spread
// over the stream, each read to its end as sent to a browser (Chromium's
// `Accept-Encoding`; the time to the last byte, not the client's decoding).
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingest } from './stream.mjs';
import { median } from './map.mjs';

/** What Chromium asks for: the feed answers as it would answer the app. */
const ACCEPT = 'gzip, deflate, br, zstd';

/** One GET, read to its end as sent (not decoded): the status, the encoding and the bytes. */
function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'accept-encoding': ACCEPT } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, encoding: res.headers['content-encoding'] ?? 'identity', bytes }));
    }).on('error', reject);
  });
}

/** `n` requests to `url(i)`: the median and the slowest, in ms, and the largest answer as sent. */
async function timed(n, url) {
  const ms = [];
  let wire = { bytes: 0, encoding: 'identity' };
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const reply = await get(url(i));
    ms.push(performance.now() - t);
    if (reply.status !== 200) throw new Error(`${url(i)}: HTTP ${reply.status}`);
    if (reply.bytes > wire.bytes) wire = reply;
  }
  return { p50: median(ms), max: Math.max(...ms), bytes: wire.bytes, encoding: wire.encoding };
}

/**
 * From the first write on: when the writer holds every event. It stops
 * early, with what it has, if the writer makes no progress for 5 s (after
 * missed batches the total is never reached).
 */
async function writer(feed, { t0, total }) {
  let last = { written: -1, at: performance.now() };
  for (;;) {
    const h = (await (await fetch(`${feed.url}/healthz`)).json()).history;
    const now = performance.now();
    if (h.written !== last.written) last = { written: h.written, at: now };
    if (h.written >= total || now - last.at > 5_000) {
      return { written: h.written, writtenMs: last.at - t0, missed: h.missed_batches, errors: h.errors, checkpoints: h.checkpoints };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Once the ingest is done: the file's size and the reads' times. */
async function reads(feed, db, { net, total }) {
  // The stream's events are 10 µs apart from the network's start.
  const span = total * 10_000;
  const start = net.t0 * 1e6;
  const at = (i) => BigInt(start) + BigInt(Math.round(((i + 0.5) / 10) * span));
  const state = await timed(10, (i) => `${feed.url}/state?at=${at(i)}`);
  const page = await timed(10, (i) => `${feed.url}/history?limit=10000&from=${at(i)}`);
  const size = (f) => (existsSync(f) ? statSync(f).size : 0);
  return { bytes: size(db) + size(`${db}-wal`), state, page };
}

/** Alternating runs, off then on, `pairs` times. */
export async function history(browser, { events = 500_000, pairs = 2 } = {}) {
  const runs = { off: [], on: [] };
  for (let i = 0; i < pairs; i++) {
    runs.off.push(await ingest(browser, 'app', { events }));
    const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-bench-history-'));
    const db = path.join(dir, 'h.db');
    try {
      runs.on.push(await ingest(browser, 'app', { events, args: ['--history', db], during: writer, after: (feed, r) => reads(feed, db, r) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return runs;
}
