#!/usr/bin/env node
// One simulated HA controller's event stream, as `ziti fabric stream events`
// prints it: a chatter line first (the CLI's own, not JSON), then one JSON
// event a line in the controller's exact shapes. Every controller of the
// cluster runs the same timeline, so their copies of an event differ only
// in `event_src_id`: event k is due at `--start + k * --every-ms` on the
// wall clock, and carries the logical time 2025-06-12T09:00:00Z + k * 10 ms.
//
// Like the real CLI, a run prints only what happens while it runs: a run
// started late begins at the event due now (no replay). After the last
// event it stays up, quietly, as a stream on a calm network does. While
// the `--gate` file exists it cannot reach its controller: it says so on
// stderr and exits 1 at once (a controller that is restarting).
//
//   node controller.mjs --id ctrl2 --start 1760000000000 [--routers 6]
//        [--identities 48] [--events 1200] [--every-ms 25] [--gate FILE]
import { existsSync } from 'node:fs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const id = arg('id');
const start = Number(arg('start'));
const ROUTERS = Number(arg('routers', 6));
const IDENTITIES = Number(arg('identities', 48));
const EVENTS = Number(arg('events', 1200));
const EVERY = Number(arg('every-ms', 25));
const gate = arg('gate');
if (!id || !Number.isFinite(start)) {
  console.error('usage: controller.mjs --id ID --start EPOCH_MS [...]');
  process.exit(2);
}
if (gate && existsSync(gate)) {
  console.error(`error: unable to connect to controller ${id}: connection refused`);
  process.exit(1);
}
// The feed went away: so does the stream.
process.stdout.on('error', () => process.exit(0));

/** Event k of the cluster's timeline, as controller `src` reports it. */
function event(k, src) {
  const timestamp = new Date(Date.UTC(2025, 5, 12, 9) + k * 10).toISOString();
  if (k < ROUTERS) {
    return { namespace: 'router', timestamp, event_src_id: src, event_type: 'router-online', router_id: `edge-${k}`, router_online: true };
  }
  const j = k - ROUTERS;
  const i = j % IDENTITIES;
  if (j % 9 === 8) return { namespace: 'sdk', event_src_id: src, timestamp, event_type: 'sdk-offline', identity_id: `laptop-${i}` };
  // Each pass over the identities moves each to the next router.
  const router = (i + Math.floor(j / IDENTITIES)) % ROUTERS;
  return { namespace: 'connect', event_src_id: src, timestamp, src_type: 'identity', dst_type: 'router', src_id: `laptop-${i}`, src_addr: '100.64.0.1:40000', dst_id: `edge-${router}`, dst_addr: '10.0.0.2:3022' };
}

process.stdout.write(`emitting events with format json from ${id}\n`);
let k = Math.max(0, Math.floor((Date.now() - start) / EVERY));
function tick() {
  const due = Math.min(EVENTS, Math.floor((Date.now() - start) / EVERY) + 1);
  let out = '';
  for (; k < due; k++) out += `${JSON.stringify(event(k, id))}\n`;
  if (out) process.stdout.write(out);
  if (k < EVENTS) setTimeout(tick, Math.max(1, start + k * EVERY - Date.now()));
}
setTimeout(tick, Math.max(0, start - Date.now()));
// Up and quiet after the last event, until ended.
setInterval(() => {}, 1 << 30);
