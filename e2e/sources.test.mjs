// Every controller at once (issue 16): one feed runs three `exec` sources
// from its config file's [[source]] tables, each a simulated HA controller's
// `ziti fabric stream events` (controller.mjs: the same timeline, each
// controller's own copy). One source's process is killed, and its
// controller stays unreachable for a while (its command exits at once,
// again and again): the app shows the source-down alert and a banner naming
// it, and both resolve by themselves when it is back. HA copies count once
// (the feed's applied events are exactly the timeline's distinct events),
// and at the end the app's list equals the feed's `/nodes`, node by node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFeed, killFeed, launchBrowser, ARTIFACTS, until, feedNodes, listEqualsNodes } from './feed.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROUTERS = 6;
const IDENTITIES = 48;
const EVENTS = 1200;
const EVERY_MS = 25;
const CONTROLLERS = ['ctrl1', 'ctrl2', 'ctrl3'];

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });


/** Whether process `pid` is gone (or a zombie nobody reaped yet). */
function gone(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  return false;
}

test('three exec sources, one a controller: one is killed and kept away, the app alerts and bans it, then it is back and the app equals /nodes', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-sources-'));
  const gate = path.join(dir, 'ctrl2.unreachable');
  const start = Date.now() + 3_000;
  const command = (id) => JSON.stringify([
    process.execPath, path.join(HERE, 'controller.mjs'), '--id', id, '--start', String(start),
    '--routers', String(ROUTERS), '--identities', String(IDENTITIES), '--events', String(EVENTS),
    '--every-ms', String(EVERY_MS), '--gate', path.join(dir, `${id}.unreachable`),
  ]);
  // The README's three-controller setup, with this test's commands.
  const config = path.join(dir, 'zitiscope.toml');
  writeFileSync(config, [
    'heartbeat-ms = 500',
    '[alerts]',
    'source-down-hold-ms = 2000',
    ...CONTROLLERS.flatMap((id) => [
      '[[source]]', 'kind = "exec"', `name = "${id}"`, `command = ${command(id)}`,
      'restart-ms = 500', 'restart-max-ms = 1000',
    ]),
  ].join('\n'));
  const feed = await startFeed({ args: ['--config', config] });
  const health = async () => (await fetch(`${feed.url}/healthz`)).json();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    const footer = page.getByTestId('feed-sources');
    await footer.filter({ hasText: '3 sources up' }).waitFor({ timeout: 10_000 });

    // ctrl2 streams for a while; then its process dies, and its controller
    // stays unreachable: each restart exits at once.
    let h = await until(async () => {
      const now = await health();
      return now.sources?.ctrl2?.lines > ROUTERS + 100 && now;
    }, () => 'ctrl2 streams');
    const pid = h.sources.ctrl2.pid;
    assert.ok(pid > 0, `ctrl2 runs as a process of its own: ${JSON.stringify(h.sources.ctrl2)}`);
    writeFileSync(gate, '');
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    // The app: a source-down alert that names it, its banner, the footer.
    const alert = page.locator('[data-testid=alert-list] li[data-rule=source-down][data-subject=ctrl2]');
    await alert.and(page.locator('.state-firing')).waitFor({ timeout: 20_000 });
    assert.match(await alert.textContent(), /ctrl2 stream down for \d+ s/);
    const banner = page.locator('[data-testid=source-banner][data-source=ctrl2]');
    await banner.waitFor({ timeout: 5_000 });
    assert.match(await banner.textContent(), /ctrl2 stream down for \d+ s \((killed by signal 9|exited with status 1: error: unable to connect to controller ctrl2: connection refused)\)/);
    assert.match(await footer.textContent(), /^ctrl2 down · 2 of 3 sources up$/);
    assert.ok(Date.now() - killedAt >= 1_800, "not before its hold time (2 s, on the feed's clock)");
    h = await until(async () => {
      const now = await health();
      return now.sources.ctrl2.restarts >= 2 && now;
    }, () => 'ctrl2 retried');
    assert.equal(h.status, 'degraded');
    assert.deepEqual(h.sources_down, ['ctrl2']);
    assert.equal(h.sources.ctrl2.reason, 'exited with status 1: error: unable to connect to controller ctrl2: connection refused');
    assert.ok(h.sources.ctrl1.up && h.sources.ctrl3.up, 'the others go on');
    const firing = await page.locator('[data-testid=alert-list] li.state-firing').evaluateAll((lis) => lis.map((li) => li.dataset.rule));
    assert.deepEqual(firing, ['source-down'], 'the only alert: nothing else looks wrong');
    await page.screenshot({ path: path.join(ARTIFACTS, 'source-down.png') });

    // Its controller is back: the next restart streams, and it all resolves by itself.
    rmSync(gate);
    await alert.and(page.locator('.state-resolved')).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: 'detached', timeout: 5_000 });
    await footer.filter({ hasText: '3 sources up' }).waitFor({ timeout: 5_000 });
    h = await health();
    assert.equal(h.status, 'ok');
    assert.ok(h.sources.ctrl2.up && h.sources.ctrl2.pid !== pid, `a new ctrl2 process: ${JSON.stringify(h.sources.ctrl2)}`);

    // The timeline ends; every source has printed it all (the quiet streams
    // stay up), the feed has published it, and the app applied all of it.
    let progress;
    h = await until(async () => {
      const now = await health();
      const seq = await page.getByTestId('events-applied').getAttribute('data-seq');
      const read = CONTROLLERS.reduce((n, id) => n + now.sources[id].events, 0);
      progress = { read, published: now.events, seq: now.seq, app: seq, ctrl1: now.sources.ctrl1.lines };
      return Date.now() > start + EVENTS * EVERY_MS + 500 && now.sources.ctrl1.lines === EVENTS + 1
        && now.sources.ctrl3.lines === EVENTS + 1 && read === now.events && Number(seq) === now.seq && now;
    }, () => `waiting for the whole timeline, published and applied: ${JSON.stringify(progress)}`, 60_000);
    for (const id of CONTROLLERS) {
      assert.equal(h.sources[id].rejected, 0, `${id}: every JSON line is an event`);
      assert.ok(h.sources[id].skipped >= 1, `${id}: the chatter line is skipped, not rejected`);
    }
    assert.ok(h.sources.ctrl2.lines < EVENTS, 'ctrl2 missed what happened while it was away');
    // HA copies count once: each of the timeline's events is applied once
    // (a router's online is one connection per controller, so three).
    const metrics = await (await fetch(`${feed.url}/metrics`)).text();
    const sample = (name) => Number(metrics.match(new RegExp(`^zitiscope_feed_${name} (\\d+)$`, 'm'))[1]);
    assert.equal(sample('events_applied_total'), EVENTS - ROUTERS + ROUTERS * CONTROLLERS.length);
    assert.equal(sample('events_applied_total') + sample('events_duplicate_total'), h.events, 'the rest are copies');
    assert.ok(sample('events_duplicate_total') > EVENTS, 'most events came from three controllers');
    assert.equal(h.summary.routers.total, ROUTERS);
    assert.equal(h.summary.identities.total, IDENTITIES);

    // Node by node, the app's list is the feed's `/nodes`.
    const nodes = await feedNodes(feed);
    assert.deepEqual(nodes.filter(([node]) => node.startsWith('controller:')).map(([node]) => node), CONTROLLERS.map((c) => `controller:${c}`));
    assert.ok(nodes.some(([, , , offline]) => offline > 0) && nodes.some(([, , online]) => online > 0), 'identities both ways: a check that can fail');
    await listEqualsNodes(page, nodes);
    assert.deepEqual(errors, []);
    await page.close();

    // SIGTERM: the feed ends the commands it runs before it exits.
    const pids = CONTROLLERS.map((id) => h.sources[id].pid);
    assert.ok(pids.every((p) => p > 0 && !gone(p)));
    await killFeed(feed, 'SIGTERM');
    await until(() => pids.every(gone), () => `no controller stream outlives the feed: ${pids.filter((p) => !gone(p))}`, 10_000);
  } finally {
    await killFeed(feed);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
});
