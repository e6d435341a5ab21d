// The release bundle's size (wasm + js + css) raw, gzip -9 and brotli -q 11.
// Usage: node bench/bundle-size.mjs [dist]   (prints a Markdown table)
// `make bench` imports `bundleSizes` through bench/run.mjs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

/** One row per wasm/js/css file of `dist` (hashes dropped from names), then a `total` row. */
export function bundleSizes(dist = 'dist') {
  const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no wasm/js/css in ${dist}: build the app first (make build)`);
  const rows = files.map((f) => {
    const bytes = readFileSync(path.join(dist, f));
    return {
      file: f.replace(/-[0-9a-f]{16}/, ''),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  const total = rows.reduce((t, r) => ({ file: 'total', raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
    { raw: 0, gzip: 0, brotli: 0 });
  return [...rows, total];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fmt = (n) => n.toLocaleString('en-US');
  console.log('| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|');
  for (const r of bundleSizes(process.argv[2])) console.log(`| ${r.file} | ${fmt(r.raw)} B | ${fmt(r.gzip)} B | ${fmt(r.brotli)} B |`);
}
