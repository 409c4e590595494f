// Where a signed-in page's time goes, measured inside the portal's process through its inspector
// (scripts/bench/inspector.ts): the SQL statements each request sends to the embedded database (counted by wrapping
// the process's PGlite instance, lib/db/adapter.ts's `globalThis.portalPglite`), and a CPU profile of a stretch of
// load, its busy time split by concern: the database, the session cookie, React's rendering, Next.js.
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { SourceMap, type SourceMapPayload } from "node:module";
import type { Inspector } from "./inspector";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
};
export type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/**
 * Counts the statements sent to the process's PGlite: through its own query() (the job queue, transactions' first
 * statement aside) and through the prepared statements Prisma's are executed as (lib/db/pglite-statements.ts: one
 * Bind message per execution, named by the Parse that prepared it). Transactions are counted apart.
 */
const INSTALL_COUNTER = `(async () => {
  const instances = globalThis.portalPglite;
  if (!instances) return false;
  globalThis.__benchStatements ??= { count: 0, bySql: {} };
  const note = (sql) => {
    const stats = globalThis.__benchStatements;
    stats.count++;
    const key = String(sql).replace(/\\s+/g, " ").slice(0, 140);
    stats.bySql[key] = (stats.bySql[key] ?? 0) + 1;
  };
  const cstring = (bytes, at) => {
    const end = bytes.indexOf(0, at);
    return [new TextDecoder().decode(bytes.subarray(at, end)), end + 1];
  };
  for (const db of instances.values()) {
    if (db.__benchCounted) continue;
    const query = db.query.bind(db);
    db.query = (sql, ...rest) => {
      note(sql);
      return query(sql, ...rest);
    };
    const transaction = db.transaction.bind(db);
    db.transaction = (...args) => {
      note("(a transaction)");
      return transaction(...args);
    };
    // Those prepared before the counter: named by the database.
    const named = new Map(
      (await query("SELECT name, statement FROM pg_prepared_statements")).rows.map((r) => [r.name, r.statement]),
    );
    const execProtocol = db.execProtocol.bind(db);
    db.execProtocol = (bytes, ...rest) => {
      // The wire protocol's messages: a type byte, a length (int32, itself included), the body.
      for (let at = 0; at < bytes.length; ) {
        const type = bytes[at];
        const length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getInt32(0);
        if (type === 0x50) {
          const [name, next] = cstring(bytes, at + 5);
          named.set(name, cstring(bytes, next)[0]);
        } else if (type === 0x42) {
          const [, next] = cstring(bytes, at + 5);
          note(named.get(cstring(bytes, next)[0]) ?? "(an unknown prepared statement)");
        }
        at += 1 + length;
      }
      return execProtocol(bytes, ...rest);
    };
    db.__benchCounted = true;
  }
  return true;
})()`;

export type Statements = { count: number; bySql: Record<string, number> };

export async function installStatementCounter(inspector: Inspector): Promise<void> {
  if (!(await inspector.evaluate<boolean>(INSTALL_COUNTER)))
    throw new Error("the portal's process has no PGlite instance to count statements on");
}

export async function takeStatements(inspector: Inspector): Promise<Statements> {
  return inspector.evaluate<Statements>(
    `(() => { const s = globalThis.__benchStatements; globalThis.__benchStatements = { count: 0, bySql: {} }; return s; })()`,
  );
}

export async function profile<T>(
  inspector: Inspector,
  file: string,
  work: () => Promise<T>,
): Promise<{ result: T; profile: Profile }> {
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.setSamplingInterval", { interval: 500 });
  await inspector.post("Profiler.start");
  const result = await work();
  const { profile } = await inspector.post<{ profile: Profile }>("Profiler.stop");
  await writeFile(file, JSON.stringify(profile));
  return { result, profile };
}

const CONCERNS: Array<[string, RegExp]> = [
  // React is compiled into Next's runtime: matched on its own sources first.
  [
    "React rendering (RSC payload and HTML)",
    /react-server-dom|react-dom|react\/cjs|htmlescape|\/components\/|\/app\/\(/,
  ],
  [
    "database (Prisma, its query compiler, the PGlite adapter, PGlite)",
    /@electric-sql\/pglite|pglite-prisma-adapter|@prisma\/client|lib\/generated\/prisma|\/lib\/db\//,
  ],
  ["session cookie (next-auth, jose: the JWE)", /@auth\/core|next-auth|\/jose\/|@panva|\/lib\/auth\//],
  ["job queue (pg-boss, in the same process)", /pg-boss|cron-parser/],
  ["Next.js (routing, app-render, streams, metadata, the proxy)", /next\/|proxy\.ts|\/lib\/http\//],
];

/**
 * Busy time by concern, largest first: a sample counts for the nearest frame up its stack that is not Node's own or
 * WebAssembly (PGlite's Postgres, Prisma's query compiler count for their callers). The build's chunks and Next's
 * runtime (React inside) are read through their source maps, so a frame is known by its original source file.
 */
export function concerns(profile: Profile): Array<[string, number]> {
  const { byId, parent, sourceOf } = readProfile(profile);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") return;
    let concern = functionName === "(garbage collector)" ? "garbage collection" : null;
    for (let at: number | undefined = id; !concern && at !== undefined; at = parent.get(at)) {
      const source = sourceOf(at);
      if (!source || source.startsWith("node:") || source.startsWith("wasm:")) continue;
      concern = CONCERNS.find(([, pattern]) => pattern.test(source))?.[0] ?? "other (Node, the portal's own code)";
    }
    concern ??= "other (Node, the portal's own code)";
    totals.set(concern, (totals.get(concern) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Self time (µs) by where each sample landed, `classify`d from its frame's original source file and function name
 * (the build's chunks read through their source maps): what one concern costs wherever it is called from.
 */
export function selfTime(
  profile: Profile,
  classify: (source: string, functionName: string) => string,
): Map<string, number> {
  const { byId, sourceOf } = readProfile(profile);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const { functionName } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") return;
    const key = classify(sourceOf(id), functionName);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

function readProfile(profile: Profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const maps = new Map<string, SourceMap | null>();
  const sources = new Map<number, string>();
  const sourceOf = (id: number): string => {
    const known = sources.get(id);
    if (known !== undefined) return known;
    const { url: raw, lineNumber, columnNumber } = byId.get(id)!.callFrame;
    const url = raw.replace(/^file:\/\//, "");
    let source = url;
    if (url.includes("/.next/") || url.includes("/next/dist/compiled/")) {
      if (!maps.has(url))
        maps.set(
          url,
          existsSync(`${url}.map`)
            ? new SourceMap(JSON.parse(readFileSync(`${url}.map`, "utf8")) as SourceMapPayload)
            : null,
        );
      const entry = maps.get(url)?.findEntry(lineNumber, columnNumber ?? 0);
      source = (entry && "originalSource" in entry ? entry.originalSource : undefined) ?? url;
    }
    sources.set(id, source);
    return source;
  };
  return { byId, parent, sourceOf };
}
