// Prints the release bundle's size (wasm + js + css) raw, gzip -9 and brotli -q 11,
// as a Markdown table. Usage: node bench/bundle-size.mjs [dist]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist).filter((f) => /\.(wasm|js|css)$/.test(f)).sort();
if (files.length === 0) {
  console.error(`no wasm/js/css in ${dist}: build the app first (make build)`);
  process.exit(1);
}
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
const fmt = (n) => n.toLocaleString('en-US');
console.log('| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|');
for (const r of [...rows, total]) console.log(`| ${r.file} | ${fmt(r.raw)} B | ${fmt(r.gzip)} B | ${fmt(r.brotli)} B |`);
