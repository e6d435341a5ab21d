// Hostile input through the real stdin source into the real app: over
// 10,000 malformed and hostile lines (broken JSON, invalid UTF-8, 1 MB
// fields, deep nesting, script and onerror in ids, control characters,
// future and ancient timestamps). Nothing crashes, every line is accounted
// for in the feed's counters, the well-formed events still arrive, and no
// injected script runs: checked with a CSP violation listener and the DOM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser } from './feed.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

const XSS = ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=1">', '"><svg onload=window.__pwned=1>'];

/** A router's connect event, in the controller's own shape. */
const connect = (router, ts = '2025-06-12T09:00:05.1Z') => JSON.stringify({
  namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts, src_type: 'router', dst_type: 'ctrl',
  src_id: router, src_addr: '10.0.0.1:1', dst_id: 'ctrl1', dst_addr: '10.0.0.10:6262',
});

/** The corpus, as buffers (some lines are not UTF-8), and what must come of it. */
function corpus() {
  const lines = [];
  const good = [];
  for (let i = 0; i < 10_000; i++) {
    switch (i % 10) {
      case 0: lines.push(Buffer.from('{"namespace":"connect","timestamp":')); break; // cut short
      case 1: lines.push(Buffer.concat([Buffer.from('{"namespace":"connect","src_id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])); break;
      case 2: lines.push(Buffer.from('['.repeat(5_000) + ']'.repeat(5_000))); break; // deep nesting
      case 3: lines.push(Buffer.from(connect('x'.repeat(2_000)))); break; // an id far over 1 KiB
      case 4: lines.push(Buffer.from(`{"namespace":"connect","timestamp":"not a time","src_id":"r${i}"}`)); break;
      case 5: lines.push(Buffer.from(connect(`ctl-\u0007\u001b[31m-${i}`))); good.push(i); break; // control characters, escaped
      case 6: lines.push(Buffer.from(connect(`${XSS[i % 3]}-${i}`))); good.push(i); break;
      case 7: lines.push(Buffer.from(connect(`future-${i}`, '9999-12-31T23:59:59Z'))); break;
      case 8: lines.push(Buffer.from(connect(`ancient-${i}`, '1970-01-01T00:00:00Z'))); break;
      default: lines.push(Buffer.from(`{"namespace":"metrics","timestamp":"2025-06-12T09:00:05Z","metric":"ctrl.rx.bytesrate"}`)); // skipped
    }
  }
  // A 1 MB field, over the source's line limit as a whole line.
  lines.push(Buffer.from(connect('big', '2025-06-12T09:00:05Z').replace('"10.0.0.1:1"', JSON.stringify('a'.repeat(1 << 20)))));
  lines.push(Buffer.from(connect('edge-fine-1')));
  return { data: Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), lines: lines.length, good };
}

for (const source of ['stdin', 'file']) {
  test(`10,000 hostile lines through ${source}: counted, nothing crashes, no script runs, the good events arrive`, async () => {
    const { data, lines } = corpus();
    const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-hostile-'));
    const file = path.join(dir, 'events.jsonl');
    // The file source reads what is there from the start, then follows it.
    if (source === 'file') writeFileSync(file, '');
    // A short heartbeat: it brings the feed's counters to the app.
    const args = ['--heartbeat-ms', '500', ...(source === 'stdin' ? ['stdin'] : ['file', file, '--from-start', '--poll-ms', '50'])];
    const feed = await startFeed({ args, stdin: source === 'stdin' });
    try {
      await check(feed, source, () => {
        if (source === 'stdin') feed.child.stdin.end(data);
        else writeFileSync(file, data);
      }, lines);
    } finally {
      await killFeed(feed);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Opens the app, feeds the corpus with `send`, and checks what came of it. */
async function check(feed, source, send, lines) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  // Record CSP violations from the first script on.
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${feed.url}/?view=list`);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });

  send();
  // Every line is accounted for: read, and either applied, skipped or rejected.
  let stats;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const health = await (await fetch(`${feed.url}/healthz`)).json();
    stats = health.sources?.[source];
    if (stats && stats.lines >= lines) break;
    assert.ok(Date.now() < deadline, `the feed read ${stats?.lines} of ${lines} lines`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(stats.lines, lines);
  assert.equal(stats.events + stats.skipped + stats.rejected, lines, `every line counted: ${JSON.stringify(stats)}`);
  assert.ok(stats.rejected >= 5_001, `broken, non-UTF-8, nested, overlong and untimed lines are rejected: ${stats.rejected}`);
  assert.ok(stats.skipped >= 1_000, 'metrics the feed does not track are skipped');
  assert.ok(stats.last_error, 'the latest reason is kept');

  // The app shows the feed's rejects too (from its heartbeats), the reason
  // as a capped, plain-text title.
  const feedRejected = page.getByTestId('feed-rejected');
  await feedRejected.filter({ hasText: `${stats.rejected} lines rejected by the feed` }).waitFor({ timeout: 10_000 });
  const reason = await feedRejected.getAttribute('title');
  assert.ok(reason && reason.length <= 256, `the reason is there and capped: ${reason?.length}`);
  assert.equal(await feedRejected.evaluate((el) => el.children.length), 0, 'the reason is text, not markup');

  // The good events arrive: the hostile ids are routers, shown as text.
  await page.waitForFunction(() => document.querySelector('tr[data-node="router:edge-fine-1"]'), null, { timeout: 20_000 });
  const table = await page.getByTestId('network-table').textContent();
  for (const x of XSS) assert.ok(table.includes(x), `shown literally: ${x}`);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, svg, iframe').length), 0, 'no element made from an id');
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('script').length),
    await page.evaluate(() => document.querySelectorAll('head script').length),
    'no script outside the page head');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no injected script ran');
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
  assert.deepEqual(errors, []);
  // The feed is still serving.
  assert.equal((await fetch(`${feed.url}/healthz`)).status, 200);
  await page.close();
}
