// AMQP in (issue 20): events that a test publishes into a real RabbitMQ
// queue (Debian's package, run by scripts/rabbitmq.sh), one JSON event a
// message as the controller's AMQP handler publishes them, arrive in the
// app: the counters, then a router going down as it happens, and at the end
// the app's list equals the feed's `/nodes`. A hostile message (HTML, a
// control character) is counted as rejected and never reaches the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { startFeed, killFeed, launchBrowser, ARTIFACTS, until, feedNodes, listEqualsNodes } from './feed.mjs';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'rabbitmq.sh');
const QUEUE = 'zitiscope-e2e';
const ROUTERS = 8;
const IDENTITIES = 40;
const T0 = Date.now() - 60_000;

let browser;
let url;
before(async () => {
  execFileSync(SCRIPT, ['start'], { stdio: 'inherit' });
  url = execFileSync(SCRIPT, ['url']).toString().trim();
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

const ts = (k) => new Date(T0 + k).toISOString();
const router = (k, id, online) => ({
  namespace: 'router', timestamp: ts(k), event_src_id: 'ctrl1',
  event_type: online ? 'router-online' : 'router-offline', router_id: id, router_online: online,
});
const connect = (k, identity, routerId) => ({
  namespace: 'connect', event_src_id: 'ctrl1', timestamp: ts(k), src_type: 'identity', dst_type: 'router',
  src_id: identity, src_addr: '100.64.0.1:1', dst_id: routerId, dst_addr: '10.0.0.2:3022',
});

test('events published into the controllers\' queue arrive in the app, and a router going down shows', async () => {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  // As the controller declares it: durable, no arguments.
  await ch.assertQueue(QUEUE, { durable: true });
  await ch.purgeQueue(QUEUE);
  const send = async (events) => {
    for (const e of events) {
      const body = typeof e === 'string' ? e : JSON.stringify(e);
      ch.sendToQueue(QUEUE, Buffer.from(body), { contentType: 'application/json' });
    }
    await ch.waitForConfirms();
  };
  const routers = Array.from({ length: ROUTERS }, (_, i) => `Kx7pWq${i}mRa`);
  let k = 0;
  await send([
    ...routers.map((id) => router(k++, id, true)),
    ...Array.from({ length: IDENTITIES }, (_, i) => connect(k++, `D4vX.q9L${i}`, routers[i % ROUTERS])),
    '<img src=x onerror="window.__pwned=1">',
    '{"namespace":"router","event_type":"router-online","router_id":"\u0007<b>x</b>"',
  ]);
  const feed = await startFeed({ args: ['--heartbeat-ms', '500', 'amqp', '--url', url, '--queue', QUEUE] });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(feed.url);
    await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    const count = (id) => page.getByTestId(id).textContent().then(Number);
    await until(async () => await count('router-online') === ROUTERS, async () => `routers online: ${await count('router-online')}`);
    const h = await (await fetch(`${feed.url}/healthz`)).json();
    const source = h.sources[`amqp:${QUEUE}`];
    assert.equal(source.up, true, JSON.stringify(source));
    assert.equal(source.events, ROUTERS + IDENTITIES);
    assert.equal(source.rejected, 2, 'the hostile messages are counted');

    // Live: two routers go down after the page is up.
    await send([router(k++, routers[0], false), router(k++, routers[1], false)]);
    await until(async () => await count('router-online') === ROUTERS - 2, async () => `routers online: ${await count('router-online')}`);
    assert.equal(await count('router-offline'), 2);
    await listEqualsNodes(page, await feedNodes(feed));
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no message reached the page as HTML');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(ARTIFACTS, 'amqp.png') });
    // Every message was acknowledged.
    assert.equal((await ch.checkQueue(QUEUE)).messageCount, 0);
  } finally {
    await killFeed(feed);
    await conn.close();
  }
});
