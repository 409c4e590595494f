// Runs a command (Playwright) with PLAYWRIGHT_CHROMIUM_PATH set to a Chromium that runs — see
// chromium/find.ts for the order. None found: install Debian's package when running as root with apt, else try
// Playwright's own download, else stop with one line saying what to run. With Debian's browser, and as root with apt,
// it adds Debian's headless shell beside it (the suite runs faster in it).
//
//   tsx scripts/with-chromium.ts <command> [args...]
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { DEBIAN_CHROMIUM, findChromium, installPlan, NOTHING_FOUND, probeBinary, type Found } from "./chromium/find";
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

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = () => spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;

/** `apt-get update` and `apt-get install` of these Debian packages; whether both succeeded. */
function aptInstall(packages: string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  return [
    ["update", "-qq"],
    ["install", "-y", "-qq", ...packages],
  ].every(
    (args) =>
      spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env, timeout: 15 * 60_000 }).status === 0,
  );
}

function install(): Found | undefined {
  for (const step of installPlan({ isRoot: isRoot(), hasApt: hasApt() })) {
    if (step.kind === "apt") {
      say("no Chromium found; installing Debian's package (apt-get install chromium)");
      if (!aptInstall(["chromium"])) say("apt-get could not install chromium");
    } else {
      say("no Chromium found; trying Playwright's own download (playwright install chromium)");
      spawnSync(bin("playwright"), ["install", "chromium"], { stdio: "inherit", timeout: 15 * 60_000 });
    }
    const found = find();
    if (found) return found;
  }
  return undefined;
}

/**
 * Debian's full browser is here and its headless shell is not: adds the shell where we may (once a machine), on its
 * own, so that a distribution without the package still runs the suite in the full browser.
 */
function addHeadlessShell(found: Found): Found {
  if (found.path !== DEBIAN_CHROMIUM || !isRoot() || !hasApt()) return found;
  say("installing Debian's chromium-headless-shell beside chromium (the suite runs faster in it)");
  if (!aptInstall(["chromium-headless-shell"]))
    say("apt-get could not install chromium-headless-shell; using chromium");
  return find() ?? found;
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
    if (found) found = addHeadlessShell(found);
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
