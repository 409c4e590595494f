// `npx tsx scripts/brand-assets.ts`: draws public/favicon.ico and public/og-image.png from public/logo.svg with
// the same Chromium the tests use, so the raster files never drift from the vector mark. Run it after changing
// the logo and commit the results. The ICO holds PNG images (16, 32 and 48 px), which every current browser
// reads; it is written by hand because it is only a 6-byte header and one 16-byte entry per image.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

import { DEBIAN_CHROMIUM } from "./chromium/find";

const root = path.resolve(import.meta.dirname, "..");
const logo = readFileSync(path.join(root, "public/logo.svg"), "utf8");

function ico(pngs: Array<{ size: number; data: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.data)]);
}

async function main() {
  const executablePath =
    process.env.PLAYWRIGHT_CHROMIUM_PATH || (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
  const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
  const page = await browser.newPage();
  const pngs = [];
  for (const size of [16, 32, 48]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${logo}`,
    );
    pngs.push({ size, data: await page.screenshot({ omitBackground: true }) });
  }
  writeFileSync(path.join(root, "public/favicon.ico"), ico(pngs));

  // Open Graph card, 1200 × 630 (the size Facebook, LinkedIn and Slack expect).
  await page.setViewportSize({ width: 1200, height: 630 });
  await page.setContent(`<style>
    html,body{margin:0;width:1200px;height:630px;font-family:"Segoe UI",system-ui,sans-serif}
    body{display:flex;flex-direction:column;justify-content:center;padding:0 96px;box-sizing:border-box;background:linear-gradient(135deg,#eff6ff,#dbeafe);color:#0f172a}
    .mark svg{width:120px;height:120px} h1{font-size:64px;margin:40px 0 16px;line-height:1.1} p{font-size:32px;margin:0;color:#1e3a8a}
  </style><div class="mark">${logo}</div><h1>Connect Dataverse to Northwind Sync</h1><p>Admin consent, application user and a live connection check — in one place.</p>`);
  writeFileSync(path.join(root, "public/og-image.png"), await page.screenshot());
  await browser.close();
  console.log("Wrote public/favicon.ico and public/og-image.png");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
