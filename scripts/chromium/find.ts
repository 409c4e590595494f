// Which Chromium the e2e tests drive, in this order: the one named by PLAYWRIGHT_CHROMIUM_PATH (or its older
// name CHROMIUM_PATH), Debian's headless shell, Debian's package at /usr/bin/chromium, Playwright's own download if
// one is present. A path named explicitly is never silently replaced by another browser: if it does not run, that is
// the error.
//
// The headless shell (Debian's chromium-headless-shell: the same Chromium build in the old headless mode, which is
// what Playwright itself runs headless tests in) comes first because it costs less: the suite's accessibility and
// console spec files took 93 s (42 s of it Chromium's CPU) in it, against 106 s (56 s) in the full browser.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";
export const DEBIAN_HEADLESS_SHELL = "/usr/bin/chromium-headless-shell";

export type Found = { path: string; source: string; version: string };
export type Probe = (path: string) => { ok: true; version: string } | { ok: false; reason: string };

export const explicitPath = (env: Record<string, string | undefined>) =>
  env.PLAYWRIGHT_CHROMIUM_PATH?.trim() || env.CHROMIUM_PATH?.trim() || undefined;

export function findChromium(input: {
  env: Record<string, string | undefined>;
  playwrightPath?: string;
  probe: Probe;
}): Found | undefined {
  const named = explicitPath(input.env);
  if (named) {
    const result = input.probe(named);
    if (result.ok) return { path: named, source: "PLAYWRIGHT_CHROMIUM_PATH", version: result.version };
    throw new Error(
      `PLAYWRIGHT_CHROMIUM_PATH=${named} does not run (${result.reason}): point it at a Chrome or Chromium binary, or unset it`,
    );
  }
  const candidates = [
    { path: DEBIAN_HEADLESS_SHELL, source: "Debian's chromium-headless-shell package" },
    { path: DEBIAN_CHROMIUM, source: "Debian's chromium package" },
    ...(input.playwrightPath ? [{ path: input.playwrightPath, source: "Playwright's own Chromium" }] : []),
  ];
  for (const candidate of candidates) {
    const result = input.probe(candidate.path);
    if (result.ok) return { ...candidate, version: result.version };
  }
  return undefined;
}

export type InstallStep = { kind: "apt" } | { kind: "playwright" };

/** What to try when none is found: Debian's package where we may (root + apt), else Playwright's download. */
export function installPlan(input: { isRoot: boolean; hasApt: boolean }): InstallStep[] {
  return [...(input.isRoot && input.hasApt ? [{ kind: "apt" } as const] : []), { kind: "playwright" }];
}

export const NOTHING_FOUND =
  "No Chromium for the e2e tests: install Debian's (`sudo apt-get install -y chromium chromium-headless-shell`) or Playwright's (`npx playwright install chromium`), or set PLAYWRIGHT_CHROMIUM_PATH to a Chrome/Chromium binary";

/** Runs `<path> --version` (bounded): a present but broken browser counts as absent. */
export const probeBinary: Probe = (path) => {
  if (!existsSync(path)) return { ok: false, reason: "no such file" };
  const run = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 20_000 });
  if (run.error) return { ok: false, reason: run.error.message };
  if (run.status !== 0)
    return { ok: false, reason: (run.stderr || run.stdout || `exit ${run.status}`).trim().split("\n")[0]! };
  return { ok: true, version: run.stdout.trim() };
};
