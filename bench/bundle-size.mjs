// The release bundle's size (wasm + js + css) raw, gzip -9 and brotli -q 11:
// per file, what the first screen loads, and what loads only when opened.
// Usage: node bench/bundle-size.mjs [dist]   (prints a Markdown table)
// `make bench` imports `bundleSizes` through bench/run.mjs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

/**
 * One row per wasm/js/css file of `dist` (hashes dropped from names), then a
 * `first load` row (what a first visit fetches before the first screen) and a
 * `lazy` row (what loads only when a part is opened). A file is first-load when
 * index.html names it or its stem (the page's `<stem>.js` and `<stem>_bg.wasm`,
 * the worker's `<stem>_loader.js`, `.js` and `_bg.wasm`); anything else, such
 * as a split-off chunk, is lazy. Each row says which it is (`first`).
 */
export function bundleSizes(dist = 'dist') {
  const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no wasm/js/css in ${dist}: build the app first (make build)`);
  const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const rows = files.map((f) => {
    const bytes = readFileSync(path.join(dist, f));
    const stem = f.replace(/\.(wasm|js|css)$/, '').replace(/_(bg|loader)$/, '');
    return {
      file: f.replace(/-[0-9a-f]{16}/, ''),
      first: index.includes(stem),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  const sum = (file, of) => of.reduce((t, r) => ({ ...t, raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli, files: t.files + 1 }),
    { file, raw: 0, gzip: 0, brotli: 0, files: 0 });
  return [...rows, sum('first load', rows.filter((r) => r.first)), sum('lazy', rows.filter((r) => !r.first))];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fmt = (n) => n.toLocaleString('en-US');
  console.log('| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|');
  for (const r of bundleSizes(process.argv[2])) console.log(`| ${r.file}${r.first === false ? ' (lazy)' : ''} | ${fmt(r.raw)} B | ${fmt(r.gzip)} B | ${fmt(r.brotli)} B |`);
}
