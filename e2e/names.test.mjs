// Names, not ids, in the real app against the real feed's simulator, which
// names routers and identities by opaque ids (as a controller does) and
// tells the names only through entityChange: the map's tooltip and drawer,
// the list, an alert and a CSV export show the names; the management-API
// subset lists them; and a rename shows in the list within a second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFeed, killFeed, launchBrowser, ARTIFACTS } from './feed.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** A controller's id: ten letters, digits, `.`, `-` or `_`. */
const OPAQUE = /^[A-Za-z0-9][A-Za-z0-9._-]{9}$/;

/** The feed's routers: `[{ id, name }]`, from `/nodes`. */
async function routers(feed) {
  const nodes = await (await fetch(`${feed.url}/nodes`)).json();
  return nodes.filter((n) => n.node.startsWith('router:')).map((n) => ({ id: n.node.slice('router:'.length), name: n.name }));
}

async function open(url) {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(url);
  await page.getByTestId('feed-status').filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
  return { page, errors };
}

/** Splits one CSV line into cells (quoted cells may hold commas and doubled quotes). */
function cells(line) {
  const out = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

test('names, not ids: the map, the list, an alert, the management API and a CSV export', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zitiscope-names-'));
  // 5 s in, edge-eu-1 loses its controllers (see alerts.test.mjs).
  const feed = await startFeed({ args: ['--history', path.join(dir, 'h.db'), 'simulate', '--scenario', 'router-outage', '--scenario-every', '120', '--routers', '12', '--identities', '300'] });
  try {
    const all = await routers(feed);
    assert.equal(all.length, 12);
    for (const r of all) {
      assert.match(r.id, OPAQUE, 'the id is the controller\'s kind');
      assert.match(r.name, /^(core|edge-(eu|us|ap|sa))-\d+$/, 'the name is a person\'s');
    }
    const eu1 = all.find((r) => r.name === 'edge-eu-1');
    const eu2 = all.find((r) => r.name === 'edge-eu-2');

    // The management-API subset lists the same, in the API's envelope.
    const listed = await (await fetch(`${feed.url}/edge/management/v1/edge-routers?limit=5&offset=0`)).json();
    assert.deepEqual(listed.meta.pagination, { limit: 5, offset: 0, totalCount: 12 });
    assert.equal(listed.data.length, 5);
    for (const r of listed.data) assert.equal(all.find((x) => x.id === r.id)?.name, r.name);
    const identities = await (await fetch(`${feed.url}/edge/management/v1/identities?limit=3`)).json();
    assert.equal(identities.meta.pagination.totalCount, 300);
    assert.ok(identities.data.every((i) => OPAQUE.test(i.id) && i.type.name === 'Default' && typeof i.hasEdgeRouterConnection === 'boolean'));
    const bad = await fetch(`${feed.url}/edge/management/v1/identities?limit=lots`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, 'COULD_NOT_VALIDATE');

    const { page, errors } = await open(feed.url);
    // The map: find by name; the drawer is headed by the name, the id beside it.
    await page.getByTestId('map-search').fill('edge-eu-2');
    await page.getByTestId('map-search').press('Enter');
    await page.getByTestId('drawer').waitFor({ timeout: 5_000 });
    assert.equal(await page.getByTestId('drawer-name').textContent(), 'edge-eu-2');
    assert.equal(await page.getByTestId('drawer-id').textContent(), eu2.id);
    assert.equal(new URL(page.url()).searchParams.get('node'), `router:${eu2.id}`, 'the URL keeps the id');
    await page.getByRole('button', { name: 'Close details' }).click();
    // Its label on the map: hovering the node (centred by the search) shows its name.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const box = await page.getByTestId('map-canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2 - 30, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor({ timeout: 5_000 });
    assert.match(await tooltip.textContent(), new RegExp(`^router edge-eu-2 \\(${eu2.id.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\)`));

    // The list: every router's row reads its name, the id beside it.
    await page.getByTestId('show-list').click();
    await page.waitForFunction(() => document.querySelectorAll('tr.node-row[data-node^="router:"] .node-label').length === 12, null, { timeout: 10_000 });
    const rows = await page.$$eval('tr.node-row[data-node^="router:"]', (trs) => trs.map((tr) => ({
      node: tr.dataset.node, label: tr.querySelector('.node-label')?.textContent, id: tr.querySelector('.node-id')?.textContent,
    })));
    for (const r of all) assert.deepEqual(rows.find((x) => x.node === `router:${r.id}`), { node: `router:${r.id}`, label: r.name, id: r.id });

    // An alert: the router-outage story's router, by name; its key keeps the id.
    await page.waitForFunction(() => document.querySelector('[data-testid=alert-list] li.state-firing[data-rule=router-down]'), null, { timeout: 20_000 });
    const alert = page.locator('[data-testid=alert-list] li.state-firing[data-rule=router-down]');
    assert.equal(await alert.getAttribute('data-subject'), eu1.id);
    const message = await alert.locator('.alert-message').textContent();
    assert.match(message, /^edge-eu-1 lost its controllers; \d+ identit(y|ies) dropped/);
    assert.ok(!message.includes(eu1.id), `no id in what a person reads: ${message}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'names-alert.png') });

    // The change log's filter reads the names the log shows, not the
    // opaque ids (which `id=` and bare words still find). The live log
    // keeps the newest 50 changes, so the outage's own change may already
    // have left it (the detaches that follow it, and the churn, push it
    // out); the story brings edge-eu-1 back 25 s into the cycle, and
    // those changes come in a batch of five, so the wait ends by then.
    await page.getByTestId('show-changes').click();
    await page.getByTestId('change-filter').fill('kind=router-to-ctrl AND name*=edge-eu-1');
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll('[data-testid=changes] li')];
      return items.length > 0 && items.every((li) => li.textContent.includes('edge-eu-1 →'));
    }, null, { timeout: 40_000 });

    // The history holds every change: there, the feed's filter finds the
    // outage by the router's id. (First, the outage has reached it.)
    const outage = `${feed.url}/history?limit=1&filter=${encodeURIComponent('kind=router-to-ctrl AND !up')}`;
    for (const until = Date.now() + 10_000; (await (await fetch(outage)).json()).events.length === 0;) {
      assert.ok(Date.now() < until, 'the outage reaches the history');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.getByTestId('change-history').click();
    await page.getByTestId('change-filter').fill(`id=${eu1.id} AND !good`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=changes] li.change-down').length > 0, null, { timeout: 10_000 });
    assert.ok(await page.$$eval('[data-testid=changes] li', (lis) => lis.every((li) => li.textContent.includes('edge-eu-1'))), 'only edge-eu-1\'s changes');
    await page.getByTestId('change-history').click();

    // A CSV export through the app's own control: the ids stay in their
    // columns, the names follow in the name columns.
    await page.getByTestId('export').locator('summary').click();
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('export-csv').click()]);
    const lines = readFileSync(await dl.path(), 'utf8').trimEnd().split('\r\n');
    const header = cells(lines[0]);
    assert.deepEqual(header.slice(-3), ['display_name', 'src_name', 'dst_name'], 'added at the end');
    const col = (name) => header.indexOf(name);
    const csv = lines.slice(1).map(cells);
    const down = csv.find((c) => c[col('kind')] === 'router-to-ctrl' && c[col('state')] === 'offline');
    assert.ok(down, 'the outage is in the export');
    assert.deepEqual([down[col('src')], down[col('display_name')], down[col('src_name')]], [eu1.id, 'edge-eu-1', 'edge-eu-1']);
    const attach = csv.find((c) => c[col('kind')] === 'edge-to-router' && c[col('dst')] === eu2.id);
    assert.ok(attach, 'an identity on edge-eu-2');
    assert.match(attach[col('src')], OPAQUE);
    assert.match(attach[col('src_name')], /^[a-z-]+-\d{4}(-r\d+)?$/, 'the identity by name');
    assert.equal(attach[col('dst_name')], 'edge-eu-2');
    const named = csv.find((c) => c[col('type')] === 'entity' && c[col('op')] === 'created' && c[col('name')] === eu1.id);
    assert.equal(named?.[col('label')], 'edge-eu-1', 'the entityChange that named it');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rename shows in the list within a second', async () => {
  // The rename story: 5 s into each 40 s cycle, an edge router gets its next name.
  const feed = await startFeed({ args: ['simulate', '--scenario', 'rename', '--scenario-every', '40', '--routers', '12', '--identities', '100'] });
  try {
    const { page, errors } = await open(`${feed.url}/?view=list`);
    await page.waitForFunction(() => document.querySelectorAll('tr.node-row[data-node^="router:"] .node-label').length === 12, null, { timeout: 10_000 });
    // In the page, on its own clock: when the feed's batch carrying the next
    // router rename arrives (a second stream of the same feed), and when the
    // list first shows the new name.
    await page.evaluate(() => {
      window.rename = {};
      const es = new EventSource('/events');
      es.addEventListener('batch', (m) => {
        if (window.rename.to) return;
        for (const e of JSON.parse(m.data)) {
          const c = e.body.entity?.staged;
          if (c && c.entity === 'router' && c.op === 'updated') {
            Object.assign(window.rename, { id: c.id, to: c.name, arrived: performance.now() });
            es.close();
            const look = () => {
              const label = document.querySelector(`tr[data-node="router:${CSS.escape(c.id)}"] .node-label`);
              if (label?.textContent === c.name) window.rename.shown = performance.now();
              else requestAnimationFrame(look);
            };
            look();
          }
        }
      });
    });
    await page.waitForFunction(() => window.rename.shown !== undefined, null, { timeout: 60_000 });
    const { id, to, arrived, shown } = await page.evaluate(() => window.rename);
    assert.match(id, OPAQUE);
    assert.match(to, /^edge-eu-1-r\d+$/);
    assert.ok(shown - arrived < 1000, `the rename showed ${Math.round(shown - arrived)} ms after it reached the page`);
    assert.equal((await routers(feed)).find((r) => r.id === id)?.name, to, 'the feed has it too');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await killFeed(feed);
  }
});
