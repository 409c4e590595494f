// Which Chromium the e2e tests use, and what happens when there is none.
import { describe, expect, it } from "vitest";
import { DEBIAN_CHROMIUM, DEBIAN_HEADLESS_SHELL, findChromium, installPlan, type Probe } from "@/scripts/chromium/find";

const probeOnly =
  (...present: string[]): Probe =>
  (path) =>
    present.includes(path) ? { ok: true, version: `Chromium at ${path}` } : { ok: false, reason: "no such file" };

const playwrightPath = "/root/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome";

describe("finding Chromium", () => {
  it("prefers the path named in PLAYWRIGHT_CHROMIUM_PATH, then the old CHROMIUM_PATH", () => {
    const probe = probeOnly("/opt/chrome", "/opt/old", DEBIAN_CHROMIUM);
    expect(
      findChromium({ env: { PLAYWRIGHT_CHROMIUM_PATH: "/opt/chrome", CHROMIUM_PATH: "/opt/old" }, probe })?.path,
    ).toBe("/opt/chrome");
    expect(findChromium({ env: { CHROMIUM_PATH: "/opt/old" }, probe })?.path).toBe("/opt/old");
  });

  it("never replaces a named path that does not run with another browser", () => {
    expect(() =>
      findChromium({ env: { PLAYWRIGHT_CHROMIUM_PATH: "/opt/gone" }, probe: probeOnly(DEBIAN_CHROMIUM) }),
    ).toThrow("PLAYWRIGHT_CHROMIUM_PATH=/opt/gone does not run (no such file)");
  });

  it("then Debian's headless shell, then Debian's browser, then Playwright's own download", () => {
    expect(
      findChromium({
        env: {},
        playwrightPath,
        probe: probeOnly(DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM, playwrightPath),
      }),
    ).toMatchObject({ path: DEBIAN_HEADLESS_SHELL, source: "Debian's chromium-headless-shell package" });
    expect(findChromium({ env: {}, playwrightPath, probe: probeOnly(DEBIAN_CHROMIUM, playwrightPath) })).toMatchObject({
      path: DEBIAN_CHROMIUM,
      source: "Debian's chromium package",
    });
    expect(findChromium({ env: {}, playwrightPath, probe: probeOnly(playwrightPath) })).toMatchObject({
      path: playwrightPath,
      source: "Playwright's own Chromium",
    });
    expect(findChromium({ env: {}, playwrightPath, probe: probeOnly() })).toBeUndefined();
  });
});

describe("installing one when none is found", () => {
  it("uses apt only as root on a machine that has it, and Playwright's download last", () => {
    expect(installPlan({ isRoot: true, hasApt: true })).toEqual([{ kind: "apt" }, { kind: "playwright" }]);
    expect(installPlan({ isRoot: false, hasApt: true })).toEqual([{ kind: "playwright" }]);
    expect(installPlan({ isRoot: true, hasApt: false })).toEqual([{ kind: "playwright" }]);
  });
});
