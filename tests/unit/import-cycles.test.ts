// lib/'s layers (docs/architecture.md "Layers") have no import cycle: between lib's folders and top-level files,
// counting every value import (static, re-export or dynamic; `import type` is erased and names no module at run time),
// no unit reaches itself again. A leaf — a file that imports nothing of lib but the generated Prisma client, such as a
// vocabulary — is a unit of its own: it cannot close a cycle.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** The lib modules a file imports by value: `import type` and imports of types only are left out. */
export function valueImports(file: string, source: string): string[] {
  const found: string[] = [];
  const statements =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?([^"';]*?)\s*from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(statements)) {
    const specifier = m[4] ?? m[5]!;
    if (m[2]) continue;
    // `import { type A, type B } from …` names types only.
    const names = m[3]?.match(/^\{([^}]*)\}$/s)?.[1];
    if (
      names &&
      names
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith("type "))
    )
      continue;
    const target = specifier.startsWith("@/lib/")
      ? `lib/${specifier.slice(6)}`
      : specifier.startsWith(".")
        ? normalize(join(dirname(file), specifier))
        : null;
    if (target?.startsWith("lib/") && !target.startsWith("lib/generated")) found.push(target);
  }
  return found;
}

const files = sourceFiles("lib");
const imports = new Map(files.map((f) => [f, valueImports(f, readFileSync(f, "utf8"))]));
const fileOf = (target: string) =>
  [`${target}.ts`, `${target}.tsx`, `${target}/index.ts`].find((f) => imports.has(f)) ?? target;
// A leaf imports nothing of lib but other leaves (the step results' schemas read the check vocabulary).
const leaves = new Set(files.filter((f) => imports.get(f)!.length === 0));
for (let grew = true; grew;) {
  grew = false;
  for (const f of files) {
    if (leaves.has(f) || !imports.get(f)!.every((t) => leaves.has(fileOf(t)))) continue;
    leaves.add(f);
    grew = true;
  }
}
/** lib/<folder> for a file in a folder, the file itself for a top-level file or a leaf. */
const unitOf = (file: string) =>
  leaves.has(file) || file.split("/").length === 2
    ? file.replace(/\.tsx?$/, "")
    : file.split("/").slice(0, 2).join("/");

function unitGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of imports) {
    const from = unitOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const target of targets) {
      const to = unitOf(fileOf(target));
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Strongly connected components of more than one unit (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

describe("lib import cycles", () => {
  it("finds a cycle when there is one (the check of the check)", () => {
    expect(
      cycles(
        new Map([
          ["lib/a", new Set(["lib/b"])],
          ["lib/b", new Set(["lib/c"])],
          ["lib/c", new Set(["lib/a"])],
          ["lib/d", new Set(["lib/a"])],
        ]),
      ),
    ).toEqual([["lib/a", "lib/b", "lib/c"]]);
    expect(
      valueImports(
        "lib/x/y.ts",
        'import type { A } from "@/lib/a";\nimport { type B } from "@/lib/b";\nimport { c } from "../c";\nconst d = await import("@/lib/d/e");',
      ),
    ).toEqual(["lib/c", "lib/d/e"]);
  });

  it("has none between lib's folders and top-level files", () => {
    expect(cycles(unitGraph())).toEqual([]);
  });

  it("lib/data imports neither the events owner nor anything that publishes or sends", () => {
    const reached = [...imports]
      .filter(([f]) => f.startsWith("lib/data/"))
      .flatMap(([f, targets]) => targets.map((t) => `${f} → ${t}`));
    expect(
      reached.filter((edge) =>
        /→ lib\/(events|monitoring|webhooks|notifications|checks\/(run|launch|finish))/.test(edge),
      ),
    ).toEqual([]);
  });
});
