// The emulator is its own package (emulator/package.json): its files import one another without a cycle, and
// every package they import is a Node built-in or one of the package's own dependencies (not the portal's).
// ESLint (eslint.config.js) keeps the portal from importing it and keeps scripts and tests on its entries.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const packageDir = path.resolve("emulator");
const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
  exports: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const files = readdirSync(packageDir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts") && !f.split(path.sep).includes("node_modules"))
  .map((f) => path.join(packageDir, f));

/** Every module specifier a file imports or re-exports, type-only ones included (TypeScript's own scanner). */
const specifiers = (file: string) =>
  ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((i) => i.fileName);

function resolveRelative(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  const found = [base, `${base}.ts`, path.join(base, "index.ts")].find((candidate) => files.includes(candidate));
  if (!found) throw new Error(`${path.relative(packageDir, from)}: cannot resolve ${specifier}`);
  return found;
}

const graph = new Map(
  files.map((file) => [
    file,
    specifiers(file)
      .filter((s) => s.startsWith("."))
      .map((s) => resolveRelative(file, s)),
  ]),
);

/** The cycles of an import graph, each as the list of files around it (depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("the emulator package", () => {
  it("has no import cycle among its files", () => {
    expect(files.length).toBeGreaterThan(20);
    expect(cycles(graph).map((cycle) => cycle.map((f) => path.relative(packageDir, f)))).toEqual([]);
  });

  it("the cycle search finds one (as scenario.ts ↔ scenario-builders.ts was)", () => {
    const cyclic = new Map([
      ["index", ["scenario"]],
      ["scenario", ["scenario-builders"]],
      ["scenario-builders", ["demo-ids", "scenario"]],
      ["demo-ids", []],
    ]);
    expect(cycles(cyclic)).toEqual([["scenario", "scenario-builders", "scenario"]]);
  });

  it("imports only Node built-ins and its own dependencies", () => {
    const own = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}).map((d) => d.replace(/^@types\//, "")),
    ]);
    const foreign = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => !s.startsWith("."))
        .filter((s) => !s.startsWith("node:") && !builtinModules.includes(s))
        .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!))
        .filter((name) => !own.has(name))
        .map((name) => `${path.relative(packageDir, file)}: ${name}`),
    );
    expect(foreign).toEqual([]);
  });

  it("exposes two entries through the exports map, and they exist", () => {
    expect(manifest.exports).toEqual({ ".": "./index.ts", "./testing": "./testing.ts" });
    for (const target of Object.values(manifest.exports)) expect(files).toContain(path.join(packageDir, target));
  });
});
