// docs/operations.md and docs/grafana-dashboard.json name only metrics the portal exposes (lib/observability/metrics.ts,
// plus prom-client's process metrics under the same prefix), and the dashboard is a Grafana import file.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const source = readFileSync("lib/observability/metrics.ts", "utf8");
const defined = new Set([...source.matchAll(/"(portal_[a-z_]+)"/g)].map((m) => m[1]!));
const exists = (name: string) =>
  defined.has(name.replace(/_(bucket|count|sum)$/, "")) || /^portal_(process|nodejs)_/.test(name);
const named = (text: string) =>
  [...new Set([...text.matchAll(/\b(portal_[a-z_]+[a-z])\b/g)].map((m) => m[1]!))].filter((n) => !n.endsWith("_"));

describe("operations docs", () => {
  it("reads the metric names from the source", () => {
    expect(defined).toContain("portal_checks_total");
    expect(defined.size).toBeGreaterThan(12);
  });

  it("the Grafana dashboard parses, has panels with Prometheus queries, and queries only existing metrics", () => {
    const dashboard = JSON.parse(readFileSync("docs/grafana-dashboard.json", "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      __inputs: unknown[];
    };
    expect(dashboard.__inputs).toHaveLength(1);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    const expressions = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const missing = named(expressions.join("\n")).filter((n) => !exists(n));
    expect(missing).toEqual([]);
  });

  it("docs/operations.md names only existing metrics", () => {
    const names = named(readFileSync("docs/operations.md", "utf8").replace(/portal_process_\*|portal_nodejs_\*/g, ""));
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !exists(n))).toEqual([]);
  });
});
