// Controller events for the browser benchmarks, in the exact shapes an
// OpenZiti controller writes (see shared/openziti-events.md), and writers
// that push them into the feed's `stdin` source as fast as it takes them or
// at a set rate.
//
// A benchmark network is `routers` edge routers on one controller and
// `identities` SDK clients, each always on the same router. Its churn
// alternates every identity between `sdk-offline` and a reconnect, so every
// churn event changes state (none is a no-op the store could skip), and its
// timestamps advance 10 µs per event from the network's start, so none is a
// copy the feed would drop.

/** A network to benchmark with; `t0` is its start (epoch ms). */
export function network({ routers = 100, identities = 10_000, t0 = Date.now() } = {}) {
  return { routers, identities, t0, k: 0 };
}

// `2026-12-01T12:00:00` for a given epoch second, cached: a million
// timestamps would otherwise spend most of their time in Date.
let lastSec = -1;
let lastPrefix = '';
/** The RFC 3339 time `us` microseconds after the epoch, nanosecond digits. */
function stamp(us) {
  const sec = Math.floor(us / 1e6);
  if (sec !== lastSec) {
    lastSec = sec;
    lastPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
  }
  return `${lastPrefix}.${String(us - sec * 1e6).padStart(6, '0')}000Z`;
}

/** The next timestamp of the network (10 µs after the one before). */
function next(net) {
  net.k += 1;
  return stamp(net.t0 * 1000 + net.k * 10);
}

/** `router-online` for router `id` (a new router shows on the map and in the counts). */
export function routerOnline(net, id) {
  return `{"namespace":"router","timestamp":"${next(net)}","event_src_id":"ctrl1","event_type":"router-online","router_id":"${id}","router_online":true}`;
}

const connect = (net, i) => `{"namespace":"connect","event_src_id":"ctrl1","timestamp":"${next(net)}","src_type":"identity","dst_type":"router","src_id":"bench-${i}","src_addr":"100.64.0.1:40000","dst_id":"edge-${i % net.routers}","dst_addr":"10.0.0.2:3022"}`;
const offline = (net, i) => `{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"${next(net)}","event_type":"sdk-offline","identity_id":"bench-${i}"}`;

/** The lines that bring the network up: every router online, every identity connected. */
export function setupLines(net) {
  const lines = [];
  for (let r = 0; r < net.routers; r++) lines.push(routerOnline(net, `edge-${r}`));
  for (let i = 0; i < net.identities; i++) lines.push(connect(net, i));
  return lines;
}

/** Churn event `c` (from 0): identity `c mod identities` drops, and on the next round reconnects. */
export function churnLine(net, c) {
  const i = c % net.identities;
  return Math.floor(c / net.identities) % 2 === 0 ? offline(net, i) : connect(net, i);
}

/** Writes `lines` to `stream` as fast as it drains (with backpressure). */
export async function writeAll(stream, lines) {
  const CHUNK = 2_000;
  for (let i = 0; i < lines.length; i += CHUNK) {
    const ok = stream.write(lines.slice(i, i + CHUNK).join('\n') + '\n');
    if (!ok) await new Promise((resolve) => stream.once('drain', resolve));
  }
}

/**
 * Writes churn at `rate` events/s for `seconds`, in 10 ms slices kept on
 * schedule (a late slice writes what it owes). `onTick(now)` may return
 * extra lines to send in that slice (the latency probes). Returns the count
 * of churn events written.
 */
export async function paced(stream, net, { rate, seconds, first = 0, onTick = () => [] }) {
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const now = performance.now();
    const elapsed = (now - start) / 1000;
    if (elapsed >= seconds) break;
    const owed = Math.floor(elapsed * rate) - sent;
    const lines = [];
    for (let j = 0; j < owed; j++) lines.push(churnLine(net, first + sent + j));
    sent += owed;
    lines.push(...onTick(now));
    if (lines.length) stream.write(lines.join('\n') + '\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return sent;
}

/** Polls the feed's `/healthz` until `done(health)` holds, or throws after `ms`. */
export async function waitHealth(url, done, ms = 60_000, what = 'the feed') {
  const until = Date.now() + ms;
  for (;;) {
    const health = await (await fetch(`${url}/healthz`)).json();
    if (done(health)) return health;
    if (Date.now() > until) throw new Error(`${what}: timed out; /healthz says ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
