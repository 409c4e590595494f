// The npm registry reachable here serves only the Linux builds of some platform-specific optional packages
// (Tailwind's oxide, Next's SWC). `npm install` then writes a lock file without entries for the others, and
// `npm ci` refuses it ("Missing: … from lock file"). This adds those entries, marked optional and limited to
// their OS/CPU, exactly as a lock written on a machine with the full registry would have them (less the
// integrity hash, which npm only checks when it downloads the package — never, on a machine it does not fit).
// Run after any `npm install` that rewrites package-lock.json.
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));

const platformOf = (name) => {
  const tail = name.split("/").pop();
  const os = ["android", "darwin", "freebsd", "linux", "win32", "wasm32"].find(
    (o) => tail.includes(`-${o}-`) || tail.endsWith(`-${o}`),
  );
  const cpu = ["arm64", "x64", "ia32", "arm", "wasi"].find((c) => tail.includes(`-${c}`));
  if (os === "wasm32") return { cpu: ["wasm32"] };
  return { os: [os], cpu: [cpu] };
};

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key] || !/(@tailwindcss\/oxide-|@next\/swc-)/.test(dep)) continue;
    const base = dep.split("/").pop();
    lock.packages[key] = {
      version,
      resolved: `https://registry.npmjs.org/${dep}/-/${base}-${version}.tgz`,
      ...platformOf(dep),
      optional: true,
      engines: entry.engines ?? undefined,
    };
    added++;
    void path;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} entries for other platforms' optional packages.`);
