// `node scripts/first-load-js.mjs <origin> [path…]`: the JavaScript a first visit downloads, per page — the sum
// of the page's <script src> chunks (module scripts; the legacy `noModule` polyfill is not loaded by current
// browsers), raw and gzip. Used to keep /, /consent and /signin within budget (issue 12: 1.05 × 456 KiB raw,
// 135 KiB gzip for /). Run against `npm start` or `npm run demo`.
import { gzipSync } from "node:zlib";

const [origin = "http://localhost:3000", ...paths] = process.argv.slice(2);
for (const p of paths.length ? paths : ["/", "/consent", "/signin"]) {
  const html = await (await fetch(new URL(p, origin))).text();
  const sources = [...new Set([...html.matchAll(/<script(?![^>]*noModule)[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
  let raw = 0;
  let gzip = 0;
  for (const src of sources) {
    const body = Buffer.from(await (await fetch(new URL(src, origin))).arrayBuffer());
    raw += body.length;
    gzip += gzipSync(body).length;
  }
  console.log(`${p}\t${sources.length} scripts\t${(raw / 1024).toFixed(1)} KiB raw\t${(gzip / 1024).toFixed(1)} KiB gzip`);
}
