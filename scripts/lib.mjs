// Small helpers shared by the launcher scripts (demo, build, e2e server). Plain ESM so they run before
// anything is built or compiled.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** Environment every child gets: no telemetry, no Prisma update checks. */
export function baseEnv(extra = {}) {
  return {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
}

export function run(command, args, env = baseEnv()) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

const children = new Set();

/**
 * Starts a long-running child. If it dies on its own, the others are stopped and this process exits 1.
 * `stdout`: a writable stream to pipe the child's output into (e.g. a log formatter) instead of ours.
 */
export function start(command, args, env = baseEnv(), name = path.basename(command), { stdout } = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", stdout ? "pipe" : "inherit", "inherit"], env });
  if (stdout) child.stdout.pipe(stdout);
  children.add(child);
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (!child.stopping) {
      console.error(`${name} stopped unexpectedly (${code ?? signal})`);
      stopAll(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
  child.stop = () => {
    child.stopping = true;
    child.kill("SIGTERM");
  };
  return child;
}

/** Stops every child started with start(); the process exits once they are gone. */
export function stopAll(exitCode = 0) {
  process.exitCode = exitCode;
  if (children.size === 0) process.exit(exitCode);
  for (const child of children) child.stop();
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when .next holds a production build newer than every source file. */
export function buildIsFresh() {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const sources = [
    "app",
    "components",
    "lib",
    "public",
    "instrumentation.ts",
    "next.config.js",
    "package-lock.json",
    "postcss.config.mjs",
    // The Prisma client the build bundles is generated from it (into lib/generated, which is skipped above).
    "prisma/schema.prisma",
  ];
  return sources.every((s) => {
    const p = path.join(root, s);
    if (!existsSync(p)) return true;
    return (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) <= built;
  });
}

export function buildIfNeeded() {
  if (buildIsFresh()) {
    console.log("Production build is up to date.");
    return;
  }
  console.log("Building the portal (next build)…");
  run(bin("next"), ["build"]);
}

export async function waitFor(check, { timeoutMs, what }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
