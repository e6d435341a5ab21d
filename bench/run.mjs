// `make bench`: every figure of the benchmark harness, each with its baseline
// measured in the same run. Writes bench/results/<date>.json and rewrites
// the harness table at the top of BENCHMARKS.md (between its
// `bench:table` markers). Not part of `make test`.
//
//   node bench/run.mjs [figure …]   (after `make build feed`; from the repo root)
//
// Figures: bundle, ingest, latency, frames, cold, remote, memory, fanout, history (all by
// default). A run of only some writes bench/results/<date>-partial.json and
// prints its table, leaving BENCHMARKS.md alone: the table there is always
// one whole run. A figure that fails is recorded with its error and the
// rest still run; the process then exits 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../e2e/feed.mjs';
import { bundleSizes } from './bundle-size.mjs';
import { frameRate, coldStart, median } from './map.mjs';
import { ingest, eventToPixel } from './stream.mjs';
import { memory } from './memory.mjs';
import { history } from './history.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['bundle', 'ingest', 'latency', 'frames', 'cold', 'remote', 'memory', 'fanout', 'history'];
const wanted = process.argv.length > 2 ? process.argv.slice(2) : ALL;
for (const w of wanted) if (!ALL.includes(w)) throw new Error(`unknown figure ${w}: one of ${ALL.join(', ')}`);

const sh = (cmd, args) => { try { return execFileSync(cmd, args, { cwd: root, encoding: 'utf8' }).trim(); } catch { return 'unknown'; } };

/** The feed's fan-out benchmark (a Rust example), parsed from its Markdown table. */
function fanout() {
  const run = spawnSync('cargo', ['run', '--release', '--locked', '-q', '-p', 'zitiscope-feed', '--example', 'fanout'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`fanout exited ${run.status}: ${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`);
  const rows = [...run.stdout.matchAll(/^\| (\d+) \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \| (\d+) \|$/gm)]
    .map((m) => ({ clients: +m[1], ratePerClient: +m[2], p50: +m[3], p99: +m[4], max: +m[5], cpuCores: +m[6], lost: +m[7], resets: +m[8] }));
  if (rows.length !== 2) throw new Error(`fanout printed no table: ${run.stdout.slice(-2000)}`);
  return { baseline: rows[0], fanned: rows[1] };
}

const browser = await launchBrowser();
const machine = {
  cpu: `${os.cpus().length}-core ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: existsSync('/etc/debian_version') ? `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}` : `${os.type()} ${os.release()}`,
  chromium: browser.version(),
  rustc: sh('rustc', ['--version']),
  node: process.version,
};
// The harness's own output (this table, the results) does not make a build dirty.
const dirty = sh('git', ['status', '--porcelain', '--', '.', ':!BENCHMARKS.md', ':!bench/results']);
const commit = `${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`;
const date = new Date().toISOString();
const results = { date, commit, machine, command: `node bench/run.mjs ${wanted.join(' ')}`.trim(), figures: {} };

// Alternating runs (baseline, app, baseline, app, …) so that a noisy spell
// on the machine hits both sides.
async function pairs(n, f) {
  const runs = { baseline: [], app: [] };
  for (let i = 0; i < n; i++) for (const kind of ['baseline', 'app']) runs[kind].push(await f(kind));
  return runs;
}

/** The link of the `remote` figure: a screen at another site than the feed. */
const REMOTE = { mbit: 50, latencyMs: 20 };

const FIGURES = {
  bundle: async () => bundleSizes(path.join(root, 'dist')),
  ingest: async () => pairs(3, (kind) => ingest(browser, kind, { events: 500_000 })),
  latency: async () => ({
    ...(await pairs(1, (kind) => eventToPixel(browser, kind, { rate: 5_000, seconds: 20 }))),
    animating: [await eventToPixel(browser, 'baseline', { rate: 5_000, seconds: 20, animate: true })],
  }),
  frames: async () => frameRate(browser),
  cold: async () => coldStart(browser),
  remote: async () => coldStart(browser, { link: REMOTE }),
  memory: async () => memory(browser),
  fanout: async () => fanout(),
  history: async () => history(browser),
};

let failed = false;
try {
  for (const name of wanted) {
    process.stderr.write(`bench: ${name} …\n`);
    try {
      results.figures[name] = await FIGURES[name]();
    } catch (e) {
      failed = true;
      results.figures[name] = { error: String(e?.stack ?? e) };
      process.stderr.write(`bench: ${name} failed: ${e?.stack ?? e}\n`);
    }
  }
} finally {
  await browser.close();
}

const dir = path.join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const whole = ALL.every((f) => wanted.includes(f));
const file = path.join(dir, `${date.slice(0, 10)}${whole ? '' : '-partial'}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');

// ---- the table ----
const f0 = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : 'n/a');
const verdict = (ok) => (ok ? 'met' : '**missed**');
const fig = results.figures;
const rows = [];
const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
const skipped = (name) => !fig[name] || fig[name].error;

if (!skipped('ingest')) {
  const app = median(fig.ingest.app.map((r) => r.rate));
  const base = median(fig.ingest.baseline.map((r) => r.rate));
  const lost = fig.ingest.app.reduce((s, r) => s + r.lost + r.resets, 0);
  const feed = median(fig.ingest.app.map((r) => r.feedRate));
  row('ingest: events/s applied, 500k events as fast as the feed reads them (median of 3)', `${f0(app)} ev/s; ${lost} lost or reset; the feed itself read ${f0(feed)} ev/s`,
    `${f0(base)} ev/s (plain page: EventSource + JSON.parse)`, ratio(app, base), `≥100k ev/s, ≥0.9×: ${verdict(app >= 100_000 && app / base >= 0.9 && lost === 0)}`);
}
if (!skipped('latency')) {
  const [app] = fig.latency.app;
  const [base] = fig.latency.baseline;
  row(`event-to-pixel at 5k ev/s: stdin write → first paint showing it, p50 / p99 (${app.shown} of ${app.probes} probes shown)`, `${f1(app.p50)} / ${f1(app.p99)} ms (router counter, next frame after it changed)`,
    `${f1(base.p50)} / ${f1(base.p99)} ms (plain page: next frame after the message)`, `${ratio(app.p50, base.p50)} / ${ratio(app.p99, base.p99)}`, `p99 ≤100 ms, ≤1.2×: ${verdict(app.p99 <= 100 && app.p99 / base.p99 <= 1.2 && app.shown === app.probes)}`);
  const [anim] = fig.latency.animating;
  row('event-to-pixel, the same against a plain page that asks for every frame (as any page drawing a live map does; not the goal\'s baseline)', `${f1(app.p50)} / ${f1(app.p99)} ms`,
    `${f1(anim.p50)} / ${f1(anim.p99)} ms (plain page with a frame loop)`, `${ratio(app.p50, anim.p50)} / ${ratio(app.p99, anim.p99)}`, '—');
}
if (!skipped('frames')) {
  const { map, map4x, big, bigOpen, baselineFps } = fig.frames;
  const busy = (m) => `main thread ${Math.round(100 * m.busy)}% busy`;
  row('frame rate: 2,000 nodes at 1k ev/s, every router drawn (at the fit\'s zoom, under 0.2: the ~4,000 healthy links are not drawn, the troubled ones are)', `${f1(map.fps)} fps (${busy(map)})`, `${f1(baselineFps)} fps (blank canvas)`, ratio(map.fps, baselineFps), `≥55 fps, ≤25% busy: ${verdict(map.fps >= 55 && map.busy <= 0.25)}`);
  row('frame rate: the same while dragging the map', `${f1(map.panFps)} fps`, `${f1(baselineFps)} fps`, ratio(map.panFps, baselineFps), `≥55 fps: ${verdict(map.panFps >= 55)}`);
  row('frame rate: at 1k ev/s with the CPU slowed 4×', `${f1(map4x.fps)} fps`, `${f1(baselineFps)} fps`, ratio(map4x.fps, baselineFps), `≥30 fps: ${verdict(map4x.fps >= 30)}`);
  if (big) {
    row('frame rate: 10,000 routers at 1k ev/s, as the map starts (collapsed to its groups)', `${f1(big.fps)} fps (${busy(big)}); dragging ${f1(big.panFps)} fps`, `${f1(baselineFps)} fps`, ratio(big.fps, baselineFps), `≥55 fps: ${verdict(big.fps >= 55)}`);
    row('frame rate: 10,000 routers, every router drawn', `${f1(bigOpen.fps)} fps (${busy(bigOpen)}); dragging ${f1(bigOpen.panFps)} fps`, `${f1(baselineFps)} fps`, ratio(bigOpen.fps, baselineFps), `≥55 fps: ${verdict(bigOpen.fps >= 55)}`);
  }
}
{
  // What crossing from the worker to the page costs, per update, in the
  // ingest's app runs (medians) and while the frames figure streams.
  const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const cost = (x) => `${f0(x.perUpdate.bytes)} B, encode ${f2(x.perUpdate.encodeMs)} ms (worker), decode ${f2(x.perUpdate.decodeMs)} + apply ${f2(x.perUpdate.applyMs)} ms (page) per update; ${f1(x.updatesPerSecond)} updates/s; decode + apply ${f1(100 * x.shareOfBusy)}% of the main thread's busy time (${f1(100 * x.shareOfWall)}% of the wall time)`;
  const parts = [];
  const runs = skipped('ingest') ? [] : fig.ingest.app.map((r) => r.crossing).filter(Boolean);
  if (runs.length) {
    const m = (f) => median(runs.map(f));
    parts.push(`ingest (${f0(fig.ingest.app[0].events)} events, median of ${runs.length}): ${cost({
      perUpdate: { bytes: m((x) => x.perUpdate.bytes), encodeMs: m((x) => x.perUpdate.encodeMs), decodeMs: m((x) => x.perUpdate.decodeMs), applyMs: m((x) => x.perUpdate.applyMs) },
      updatesPerSecond: m((x) => x.updatesPerSecond), shareOfBusy: m((x) => x.shareOfBusy), shareOfWall: m((x) => x.shareOfWall),
    })}`);
  }
  if (!skipped('frames') && fig.frames.map.crossing) parts.push(`frames (2,000 nodes at 1k ev/s): ${cost(fig.frames.map.crossing)}`);
  if (parts.length) row('crossing: worker → page updates', parts.join('. '), '—', '—', '—');
}
if (!skipped('cold')) {
  const fcp = median(fig.cold.map((r) => r.fcp));
  const map = median(fig.cold.map((r) => r.map));
  // First paint is index.html's shell; when the app itself mounted is shown beside it.
  const mounted = median(fig.cold.map((r) => r.appMounted ?? NaN));
  row('cold start, 300 routers / 20k identities: first paint / first full map (median of 3 loads)', `${f0(fcp)} / ${f0(map)} ms (the app mounted at ${f0(mounted)} ms; snapshot in the worker at ${f0(median(fig.cold.map((r) => r.snapshotReceived)))} ms, parsed by ${f0(median(fig.cold.map((r) => r.snapshotApplied)))} ms)`, '—', '—', `≤250 / ≤800 ms: ${verdict(fcp <= 250 && map <= 800)}`);
}
if (!skipped('remote')) {
  const map = median(fig.remote.map((r) => r.map));
  const local = skipped('cold') ? NaN : median(fig.cold.map((r) => r.map));
  row(`cold start over a ${REMOTE.mbit} Mbit/s link with ${REMOTE.latencyMs} ms latency (Chromium's throttling): first full map (median of 3 loads)`, `${f0(map)} ms (snapshot in the worker at ${f0(median(fig.remote.map((r) => r.snapshotReceived)))} ms)`,
    `${f0(local)} ms (the same on loopback, the row above)`, ratio(map, local), '— (no goal; BENCHMARKS.md, "The snapshot fetched by the loader")');
}
if (!skipped('bundle')) {
  const first = fig.bundle.find((r) => r.file === 'first load');
  const lazy = fig.bundle.find((r) => r.file === 'lazy');
  const wasm = fig.bundle.filter((r) => r.first && r.file.endsWith('.wasm')).map((r) => `${r.file} ${f0(r.brotli)} B`).join(', ');
  row('first load: wasm + js + css the first screen fetches, raw / gzip -9 / brotli -q 11', `${f0(first.raw)} / ${f0(first.gzip)} / **${f0(first.brotli)} B** (${wasm})`, '—', '—', `≤150 KB brotli: ${verdict(first.brotli <= 150_000)}`);
  row('lazy parts: loaded when first opened, brotli -q 11', lazy.files ? `${f0(lazy.brotli)} B in ${lazy.files} files` : 'none: the app is not split', '—', '—', '—');
}
if (!skipped('memory')) {
  const m = fig.memory;
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const part = (k) => `${mb(m.atSmall[k])} → ${mb(m.atLarge[k])}`;
  row(`memory: JS heap + wasm memory, the worker's and the page's together, after 1M events vs after 10k (${f0(m.identities)} identities, ${m.routers} routers)`,
    `${mb(m.atLarge.total)} vs ${mb(m.atSmall.total)}: **${m.growth >= 0 ? '+' : ''}${mb(m.growth)}** (worker: JS ${part('workerJs')}, wasm ${part('workerWasm')}; page: JS ${part('pageJs')}, wasm ${part('pageWasm')}); after 2M: ${mb(m.atLarger.total)} (${m.growthAfter >= 0 ? '+' : ''}${mb(m.growthAfter)} more)`,
    '—', '—', `≤5 MB growth: ${verdict(m.growth <= 5e6)}`);
}
if (!skipped('fanout')) {
  const { baseline, fanned } = fig.fanout;
  row(`feed fan-out: ${fanned.clients} SSE clients at ${f0(fanned.ratePerClient)} ev/s each, latency p50 / p99`, `${f1(fanned.p50)} / ${f1(fanned.p99)} ms; ${fanned.lost} lost, ${fanned.resets} resets; ${fanned.cpuCores} cores`,
    `${f1(baseline.p50)} / ${f1(baseline.p99)} ms (1 client)`, `${ratio(fanned.p50, baseline.p50)} / ${ratio(fanned.p99, baseline.p99)}`, `p99 ≤50 ms: ${verdict(fanned.p99 <= 50 && fanned.lost === 0)}`);
}
if (!skipped('history')) {
  const { on, off } = fig.history;
  const m = (f) => median(on.map(f));
  const live = m((r) => r.rate);
  const base = median(off.map((r) => r.rate));
  const missed = on.reduce((s, r) => s + r.missed + r.errors + r.lost + r.resets, 0);
  const written = m((r) => r.written / (r.writtenMs / 1000));
  row(`history on (\`--history\`): the same 500k-event ingest (median of ${on.length})`,
    `${f0(live)} ev/s applied, the feed read ${f0(m((r) => r.feedRate))} ev/s; ${f0(on[0].written)} events in SQLite ${f1(m((r) => r.writtenMs) / 1000)} s after the first write (${f0(written)} ev/s), ${f0(m((r) => r.bytes / r.written))} B/event; ${missed} missed; \`/state?at=\` ${f0(m((r) => r.state.p50))} ms (max ${f0(m((r) => r.state.max))}; ${f0(on[0].state.bytes / 1e3)} KB ${on[0].state.encoding}), a 10k-event \`/history\` page ${f0(m((r) => r.page.p50))} ms`,
    `${f0(base)} ev/s applied, the feed read ${f0(median(off.map((r) => r.feedRate)))} ev/s (\`--no-history\`)`, ratio(live, base), `≥0.9×, none missed: ${verdict(live / base >= 0.9 && missed === 0)}`);
  // Every one of the ten moments starts from another checkpoint: the
  // seek's worst case (the native `cargo bench --bench seek` gives the
  // ratio to a plain replay, and the scrub).
  const seek = m((r) => r.state.p50);
  row(`history: \`GET /state?at=\` at 10 moments spread over the 500k-event file (as a browser asks: ${on[0].state.encoding}, ${f0(on[0].state.bytes / 1e3)} KB; median of ${on.length} runs' medians)`,
    `${f0(seek)} ms (max ${f0(m((r) => r.state.max))})`, '—', '—', `≤100 ms: ${verdict(seek <= 100)}`);
}
for (const name of wanted) if (fig[name]?.error) row(name, `failed: ${fig[name].error.split('\n')[0].replaceAll('|', '\\|')}`, '—', '—', '—');

const table = [
  '<!-- bench:table:start (written by `make bench`; edit bench/run.mjs, not this) -->',
  `- **Machine:** ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}; Chromium ${machine.chromium} headless (playwright-core); ${machine.rustc}; Node ${machine.node}.`,
  `- **Date:** ${date.slice(0, 16).replace('T', ' ')} UTC; commit ${commit}.`,
  `- **Command:** \`make bench\` (\`${results.command}\`); raw figures in \`${path.relative(root, file)}\`.`,
  '- **Note:** the feeds run with `--no-history`, except in the history row, which compares the same ingest with the history on and off.',
  '',
  '| figure | this build | baseline (same run) | ratio | goal |',
  '|---|---|---|---:|---|',
  ...rows,
  '<!-- bench:table:end -->',
].join('\n');
console.log(table);
if (whole) {
  const md = path.join(root, 'BENCHMARKS.md');
  const text = readFileSync(md, 'utf8');
  const re = /<!-- bench:table:start[^]*?<!-- bench:table:end -->/;
  if (!re.test(text)) throw new Error('BENCHMARKS.md has no bench:table markers');
  writeFileSync(md, text.replace(re, table));
}
console.log(`\nwrote ${path.relative(root, file)}${whole ? ' and the table in BENCHMARKS.md' : ' (a partial run: BENCHMARKS.md left as it is)'}`);
if (failed) process.exit(1);
