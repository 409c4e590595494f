// Runs a command (Playwright) with PLAYWRIGHT_CHROMIUM_PATH set to a Chromium that runs — see
// chromium/find.ts for the order. None found: install Debian's package when running as root with apt,
// else try Playwright's own download, else stop with one line saying what to run.
//
//   tsx scripts/with-chromium.ts <command> [args...]
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { findChromium, installPlan, NOTHING_FOUND, probeBinary, type Found } from "./chromium/find";
import { bin } from "./lib.mjs";

const say = (line: string) => console.log(`[chromium] ${line}`);
const playwrightPath = () => {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
};
const find = () => findChromium({ env: process.env, playwrightPath: playwrightPath(), probe: probeBinary });

function install(): Found | undefined {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
  for (const step of installPlan({ isRoot, hasApt })) {
    if (step.kind === "apt") {
      say("no Chromium found; installing Debian's package (apt-get install chromium)");
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      const ok = [
        ["update", "-qq"],
        ["install", "-y", "-qq", "chromium"],
      ].every(
        (args) =>
          spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env, timeout: 15 * 60_000 }).status ===
          0,
      );
      if (!ok) say("apt-get could not install chromium");
    } else {
      say("no Chromium found; trying Playwright's own download (playwright install chromium)");
      spawnSync(bin("playwright"), ["install", "chromium"], { stdio: "inherit", timeout: 15 * 60_000 });
    }
    const found = find();
    if (found) return found;
  }
  return undefined;
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error("usage: tsx scripts/with-chromium.ts <command> [args...]");
    process.exit(2);
  }
  let found: Found | undefined;
  try {
    found = find() ?? install();
  } catch (error) {
    console.error(`[chromium] ${(error as Error).message}`);
    process.exit(1);
  }
  if (!found) {
    console.error(`[chromium] ${NOTHING_FOUND}`);
    process.exit(1);
  }
  say(`using ${found.version} (${found.source}) at ${found.path}`);
  const executable = !command.includes("/") && existsSync(bin(command)) ? bin(command) : command;
  const child = spawn(executable, args, {
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_CHROMIUM_PATH: found.path },
  });
  for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  process.on("SIGINT", () => {}); // the terminal sends it to Playwright too; we wait for it to finish
  child.on("error", (error) => {
    console.error(`[chromium] could not run ${command}: ${error.message}`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}

main();
