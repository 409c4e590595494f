// Where a signed-in page's time goes, measured inside the portal's process through its inspector
// (scripts/bench/inspector.ts): the SQL statements each request sends to the embedded database (counted by wrapping
// the process's PGlite instance, lib/db/adapter.ts's `globalThis.portalPglite`), and a CPU profile of a stretch of
// load, its busy time split by what the code is doing (the package or part of the build a sample's stack is in).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Inspector } from "./inspector";

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
export type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Counts the statements sent to the process's PGlite (outside transactions, which page reads do not open). */
const INSTALL_COUNTER = `(() => {
  const instances = globalThis.portalPglite;
  if (!instances) return false;
  globalThis.__benchStatements ??= { count: 0, bySql: {} };
  for (const db of instances.values()) {
    if (db.__benchCounted) continue;
    const query = db.query.bind(db);
    db.query = (sql, ...rest) => {
      const stats = globalThis.__benchStatements;
      stats.count++;
      const key = String(sql).replace(/\\s+/g, " ").slice(0, 140);
      stats.bySql[key] = (stats.bySql[key] ?? 0) + 1;
      return query(sql, ...rest);
    };
    db.__benchCounted = true;
  }
  return true;
})()`;

export type Statements = { count: number; bySql: Record<string, number> };

export async function installStatementCounter(inspector: Inspector): Promise<void> {
  if (!(await inspector.evaluate<boolean>(INSTALL_COUNTER))) throw new Error("the portal's process has no PGlite instance to count statements on");
}

export async function takeStatements(inspector: Inspector): Promise<Statements> {
  return inspector.evaluate<Statements>(`(() => { const s = globalThis.__benchStatements; globalThis.__benchStatements = { count: 0, bySql: {} }; return s; })()`);
}

export async function profile<T>(inspector: Inspector, file: string, work: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.setSamplingInterval", { interval: 500 });
  await inspector.post("Profiler.start");
  const result = await work();
  const { profile } = await inspector.post<{ profile: Profile }>("Profiler.stop");
  await writeFile(file, JSON.stringify(profile));
  return { result, profile };
}

/** Self time by function (name, file, line), largest first. */
export function topFunctions(profile: Profile, n: number): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || "(anonymous)"} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, n);
}

export function shortUrl(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  return path.relative(process.cwd(), url.replace(/^file:\/\//, ""));
}
