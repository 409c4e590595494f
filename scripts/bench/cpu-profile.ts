// A CPU profile of one stretch of a benchmark (V8's sampling profiler through node:inspector, what --cpu-prof
// records for a whole process), written as a .cpuprofile file that Chrome DevTools opens, and summarised as the
// CPU time spent in each package or part of the repository (self time: where the samples landed).
import { Session } from "node:inspector/promises";
import { writeFile } from "node:fs/promises";
import path from "node:path";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Runs `work` under the profiler; writes the profile to `file`. */
export async function profiled<T>(file: string, work: () => Promise<T>): Promise<{ result: T; profile: Profile }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  // 1 ms between samples: the default (about 1 ms) written out, so the summary's resolution is known.
  await session.post("Profiler.setSamplingInterval", { interval: 1000 });
  await session.post("Profiler.start");
  try {
    const result = await work();
    const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
    await writeFile(file, JSON.stringify(profile));
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Where a sample's function lives: a package under node_modules, a folder of the repository, Node itself, or V8. */
function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node: (Node's own modules)";
  if (url.startsWith("wasm://")) return "wasm (Prisma's query compiler)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = url.slice(modules + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const file = url.replace(/^file:\/\//, "");
  const relative = path.relative(process.cwd(), file);
  const parts = relative.split(path.sep);
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : relative;
}

/** What a package is, for the portal's CPU time: its database client, its outbound HTTPS, its tokens. */
const COMPONENTS: Array<[RegExp, string]> = [
  [
    /^(@prisma\/|wasm|pg$|pg-protocol|pg-pool|pg-types|pglite-prisma-adapter|@electric-sql\/pglite)/,
    "database client (Prisma, its query compiler, node-postgres)",
  ],
  [/^pg-boss/, "job queue (pg-boss)"],
  [/^(undici|lib\/http\/)/, "outbound HTTPS (undici, TLS)"],
  [/^(@azure\/msal|jose|lib\/entra\/)/, "tokens (MSAL)"],
  [/^\(garbage collector\)/, "garbage collection"],
];

/**
 * Self time by place and by function, and all of it by component: a sample in Node's own code or in native code
 * (a socket write, a TLS handshake) counts for the nearest package up its stack (node-postgres writing a query,
 * undici opening a connection). Largest first, as printable lines.
 */
export function summarise(profile: Profile, { places = 14, functions = 12 } = {}): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byComponent = new Map<string, number>();
  const componentOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      if (functionName === "(garbage collector)") return "garbage collection";
      if (!url || url.startsWith("node:")) continue;
      const place = placeOf(url, functionName);
      const known = COMPONENTS.find(([pattern]) => pattern.test(place));
      return known
        ? known[1]
        : place.startsWith("lib/") || place.startsWith("scripts/")
          ? "the portal's own code (lib/)"
          : `other packages (${place}…)`;
    }
    return "Node and V8 (timers, promises, sockets)";
  };
  let idle = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idle += us;
      return;
    }
    busy += us;
    const place = placeOf(url, functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    const fn = `${functionName || "(anonymous)"} ${url ? `${place}${url.includes("node_modules") ? "" : `:${path.basename(url)}`}:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const component = componentOf(id);
    byComponent.set(component, (byComponent.get(component) ?? 0) + us);
  });
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
  const share = (us: number) => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `busy ${ms(busy).trim()} ms, idle ${ms(idle).trim()} ms (samples of this process's main thread; GC shows as "(garbage collector)")`,
    "by place (self time):",
    ...top(byPlace, places).map(([k, v]) => `${ms(v)} ms ${share(v)}  ${k}`),
    "by function (self time):",
    ...top(byFunction, functions).map(([k, v]) => `${ms(v)} ms ${share(v)}  ${k}`),
    "by component (Node's and native code counted for the package that called it):",
    ...top(byComponent, 12).map(([k, v]) => `${ms(v)} ms ${share(v)}  ${k}`),
  ];
}
