// Nothing in the repository points outside it: no paths into a machine's folders or into notes that live
// elsewhere. The facts the code depends on live in docs/ (protocol notes, architecture).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const OUTSIDE = [
  /\.\.\/shared\b/,
  /(^|[\s"'`(])\/work\//,
  /shared\/notes/,
  /\bnotes\/(stack|conventions|architecture)\.md/,
  /(^|[\s(])stack\.md\b/,
];
const SELF = "tests/unit/self-contained.test.ts";

describe("the repository is self-contained", () => {
  it("no tracked file refers to a path outside the repository", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" })
      .split("\0")
      .filter((f) => f && f !== SELF && !f.endsWith("package-lock.json") && !/\.(png|ico|wasm)$/.test(f));
    const hits: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue; // listed but not in the work tree (deleted, not yet committed)
      }
      text.split("\n").forEach((line, i) => {
        if (OUTSIDE.some((pattern) => pattern.test(line))) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("every file README.md links or shows (docs, screenshots) exists in the repository", () => {
    const readme = readFileSync("README.md", "utf8");
    const targets = [...readme.matchAll(/\]\(((?:docs|emulator|public|scripts)\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(targets.filter((t) => t.startsWith("docs/screenshots/")).length).toBeGreaterThanOrEqual(8);
    expect(targets.filter((t) => !existsSync(t))).toEqual([]);
  });
});
