// A/B of two builds' cold start: `node bench/ab-cold.mjs OLD_DIST NEW_DIST`.
// Each dist is served by the real feed (simulate, 300 routers / 20k
// identities, as in the `cold` figure), the two alternated for 4 rounds of
// 3 loads, so that a noisy spell hits both. Prints the medians of first
// paint and of the first full map. Build the old one from a worktree, e.g.
//   git worktree add /tmp/old <rev> && (cd /tmp/old && trunk build --release --dist /tmp/dist-old)
// To compare two feeds instead, give the same dist twice and name the
// feeds' binaries in OLD_FEED_BIN and NEW_FEED_BIN (each defaults to the
// tests' feed, target/release/zitiscope-feed).
import { spawn } from 'node:child_process';
import { launchBrowser, FEED_BIN } from '../e2e/feed.mjs';
import { median } from './map.mjs';

const [oldDist, newDist] = process.argv.slice(2);
if (!oldDist || !newDist) throw new Error('usage: node bench/ab-cold.mjs OLD_DIST NEW_DIST');

const BINS = { old: process.env.OLD_FEED_BIN ?? FEED_BIN, new: process.env.NEW_FEED_BIN ?? FEED_BIN };

async function feed(dist, bin) {
  const args = ['--listen', '127.0.0.1:0', '--static', dist, '--no-history', 'simulate', '--routers', '300', '--identities', '20000', '--rate', '200'];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+?)\/?\s/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`feed exited ${code}`)));
  });
  return { child, url };
}

const browser = await launchBrowser();
const runs = { old: [], new: [] };
try {
  for (let round = 0; round < 4; round++) {
    for (const [side, dist] of [['old', oldDist], ['new', newDist]]) {
      const f = await feed(dist, BINS[side]);
      try {
        for (let i = 0; i < 3; i++) {
          const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
          await page.goto(f.url);
          await page.waitForFunction(() => performance.getEntriesByName('zitiscope:first-map').length > 0, null, { timeout: 60_000 });
          runs[side].push(await page.evaluate(() => ({
            fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
            map: performance.getEntriesByName('zitiscope:first-map')[0]?.startTime,
          })));
          await page.close();
        }
      } finally {
        f.child.kill('SIGKILL');
      }
    }
  }
} finally {
  await browser.close();
}
for (const side of ['old', 'new']) {
  const r = runs[side];
  console.log(`${side}: first paint ${median(r.map((x) => x.fcp)).toFixed(0)} ms, first full map ${median(r.map((x) => x.map)).toFixed(0)} ms (${r.length} loads)`);
}
