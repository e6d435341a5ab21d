// Starts and stops the real zitiscope-feed binary for the e2e tests.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FEED_BIN = process.env.ZITISCOPE_FEED_BIN ?? path.join(root, 'target', 'release', 'zitiscope-feed');
export const DIST = process.env.ZITISCOPE_DIST ?? path.join(root, 'dist');
/** Where the tests save their screenshots (created on first import). */
export const ARTIFACTS = path.join(root, 'e2e', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** Starts the feed; resolves once it prints its address. `listen` may name a port to reuse. */
/** `stdin: true` leaves the feed's standard input open as `child.stdin` (the `stdin` source). */
/** No history file unless `args` name one (`--history FILE`). `dist` is the app it serves. */
export async function startFeed({ listen = '127.0.0.1:0', args = [], stdin = false, dist = DIST } = {}) {
  const history = args.includes('--history') ? [] : ['--no-history'];
  const child = spawn(FEED_BIN, ['--listen', listen, '--static', dist, ...history, ...args], {
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`feed did not start in 15 s: ${stderr}`)), 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+?)\/?\s/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`feed exited ${code}: ${stderr}`)); });
  });
  return { child, url, hostPort: new URL(url).host };
}

/** Waits until the feed's history has written `n` events (its `/healthz`), for up to 20 s. */
export async function waitHistory(feed, n) {
  for (const until = Date.now() + 20_000; ;) {
    const h = await (await fetch(`${feed.url}/healthz`)).json();
    if (h.history?.written === n) return h.history;
    if (Date.now() > until) throw new Error(`history: ${JSON.stringify(h.history)}, wanted ${n} written`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills the feed hard (as a crash would) and waits for it to be gone. */
export async function killFeed(feed, signal = 'SIGKILL') {
  if (feed.child.exitCode !== null || feed.child.signalCode !== null) return;
  const exited = once(feed.child, 'exit');
  feed.child.kill(signal);
  await exited;
}

/** Chromium flags that keep it quiet on a machine with no network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Debian's headless chromium with those flags (`CHROMIUM` names another). */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Polls `f` until it returns a truthy value, or fails with `what()` after `ms`. */
export async function until(f, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() >= deadline) throw new Error(what());
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A counter or gauge of the feed's `/metrics` (`zitiscope_feed_<name>`), as a number. */
export async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(new RegExp(`^zitiscope_feed_${name} (\\d+)`, 'm'))?.[1]);
}

/**
 * The query strings of the event streams `page` opens (its worker's
 * `/events` requests), in order, as they are opened: the app's first stream
 * names `since=` when it started from the snapshot its loader fetched.
 */
export function watchStreams(page) {
  const streams = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/events') streams.push(url.search);
  });
  return streams;
}

/** The feed's `/nodes` as `[node, health, identities online, identities offline]` rows, in its order. */
export async function feedNodes(feed) {
  return (await (await fetch(`${feed.url}/nodes`)).json())
    .map((n) => [n.node, n.health, n.identities_online, n.identities_offline]);
}

/**
 * Opens the app's list view and waits until its rows, read as `feedNodes` reads
 * the feed, equal `want` (the feed's `/nodes`), for up to 10 s.
 */
export async function listEqualsNodes(page, want) {
  await page.getByTestId('show-list').click();
  const listed = () => page.$$eval('tr.node-row', (rows) => rows.map((r) => {
    const health = [...r.classList].find((c) => c.startsWith('health-')).slice('health-'.length);
    const m = /^(\d+) online, (\d+) offline/.exec(r.querySelector('.node-identities').textContent);
    return [r.dataset.node, health, m ? Number(m[1]) : 0, m ? Number(m[2]) : 0];
  }));
  let rows;
  const differ = () => rows.map((r, i) => [r, want[i]]).filter(([a, b]) => JSON.stringify(a) !== JSON.stringify(b));
  await until(async () => { rows = await listed(); return JSON.stringify(rows) === JSON.stringify(want); },
    () => `the list differs from the feed's /nodes (${rows.length} rows vs ${want.length}): ${JSON.stringify(differ().slice(0, 3))}`, 10_000);
}
