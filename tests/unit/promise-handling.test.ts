// No test leaves a promise without a handler while it awaits something else (issue 19 item 16): a rejection in that
// window is an unhandled rejection on a slow or cold machine only, so it must be caught by reading the code, on
// every machine. The scanner (tests/support/promise-handling.ts) is tested on the shapes it must and must not report.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findLateHandling } from "../support/promise-handling";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.tsx?$/.test(name) ? [full] : [];
  });
}

describe("promises in the test suite", () => {
  it("are handled before anything else is awaited", () => {
    // tests/support/fixtures holds the one deliberate example (tests/unit/unhandled-rejections.test.ts runs it).
    const files = ["tests", "scripts"]
      .flatMap(sources)
      .filter((file) => !file.startsWith(path.join("tests", "support", "fixtures")));
    const found = files.flatMap((file) => findLateHandling(file, readFileSync(file, "utf8")));
    expect(found.map((f) => `${f.file}:${f.line} ${f.what}`)).toEqual([]);
  });
});

describe("the scanner", () => {
  const scan = (code: string) => findLateHandling("x.ts", code).map((f) => f.line);

  it("reports a promise awaited after something else, in its variable or a helper's parameter", () => {
    expect(scan(`async function t() {\n  const p = fetch("x");\n  await other();\n  await p;\n}`)).toEqual([2]);
    expect(
      scan(`async function t() {\n  const p = run();\n  await other();\n  await expect(p).rejects.toThrow();\n}`),
    ).toEqual([2]);
    expect(
      scan(`async function t() {\n  const ps = [a(), b()];\n  await other();\n  await Promise.all(ps);\n}`),
    ).toEqual([2]);
    expect(
      scan(
        `async function t() {\n  const r = page.waitForResponse(f);\n  await click();\n  const id = (await r).url();\n}`,
      ),
    ).toEqual([2]);
    expect(
      scan(
        `async function failureOf(\n  promise: Promise<unknown>) {\n  const m = await import("m");\n  return promise.then(() => 1, (e) => e);\n}`,
      ),
    ).toEqual([2]);
  });

  it("leaves alone promises handled at once, awaited together, or only passed along", () => {
    expect(scan(`async function t() {\n  const p = fetch("x");\n  await p;\n  await other();\n}`)).toEqual([]);
    expect(
      scan(`async function t() {\n  const p = fetch("x").catch(() => null);\n  await other();\n  await p;\n}`),
    ).toEqual([]);
    expect(
      scan(`async function t() {\n  const s = fetch("x").then(() => 1, (e) => e);\n  await other();\n  await s;\n}`),
    ).toEqual([]);
    expect(scan(`async function t() {\n  const [r] = await Promise.all([wait(), click()]);\n}`)).toEqual([]);
    expect(
      scan(`async function t() {\n  const url = new URL("x");\n  await other();\n  await page.goto(url);\n}`),
    ).toEqual([]);
    expect(
      scan(
        `async function f(p: Promise<number>) {\n  const settled = p.then(() => 1, () => 2);\n  await other();\n  return settled;\n}`,
      ),
    ).toEqual([]);
  });
});
