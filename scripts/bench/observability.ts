// What metrics and tracing cost (docs/operations.md): the same work with both off, then both on (METRICS_TOKEN set,
// OTEL_EXPORTER_OTLP_ENDPOINT at an OTLP/HTTP receiver in this process), in alternating rounds, printed side by side.
//   warm check      a connection check with the token cached and the application user known (one $batch), run in
//                   this process against the emulator (its own process) and a PostgreSQL database
//   /onboarding     the signed-in customer's overview page served by the production build: two `next start`, one
//                   without the two variables and one with them, loaded in turn at a fixed concurrency
// Each is measured as wall time (what a user waits, requests per second) and as CPU time the portal spent per check or
// per page (this process's, or the server process's from /proc): on a shared machine the wall figures move with the
// neighbours' load, the CPU figures much less — the cost is judged on CPU. Aim: "on" costs at most 5% of either.
// Rounds alternate in blocks of off, on, on, off (a drift over the run, JIT warm-up or the neighbours' load, falls on
// both sides of a block alike); the cost is the median block's on-to-off ratio, and beside it how far the blocks
// disagree. The OTLP receiver is a process of its own. Runs as a child process (the data layer binds one database per
// process).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { freePort } from "../postgres/embedded";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_IDS, EMULATED_DATAVERSE_HOST_SUFFIXES } from "@tenant-onboarding/emulator";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { baseEnv, bin, buildIfNeeded, root, waitFor } from "../lib.mjs";
import { benchDatabase } from "./bench-database";
import { attachInspector } from "./inspector";
import { profile, selfTime } from "./pages-profile";
import { descendantPids, totalCpuMs } from "./process-cpu";
import { median } from "./stats";

const ROUND_ORDER = ["off", "on", "on", "off"] as const;
const CHECK_ROUNDS = 32;
const CHECKS_PER_ROUND = 12;
const PAGE_ROUNDS = 24;
const PAGE_SECONDS = 3;
const CONCURRENCY = 4;
const AUTH_SECRET = randomBytes(32).toString("base64url");
const METRICS_TOKEN = randomBytes(24).toString("base64url");
// OBSERVABILITY_BENCH_PROFILE=<folder>: after the page rounds, a CPU profile of each `next start` under the same load,
// and where "on" spends more: self time by package (OpenTelemetry, prom-client, AsyncLocalStorage, ...), off beside on.
const PROFILE_DIR = process.env.OBSERVABILITY_BENCH_PROFILE || null;
const PROFILE_SECONDS = 8;

const signed = (ratio: number) => `${ratio >= 0 ? "+" : ""}${(ratio * 100).toFixed(1)}%`;

type Round = { mode: "off" | "on"; value: number; cpuMs: number };

/**
 * "on" against "off" within each block of rounds (off, on, on, off): the mean of its "on" rounds over the mean of its
 * "off" rounds. A drift over the run (the servers' JIT still warming, the neighbours' load easing) moves both sides of
 * a block alike, where medians over the whole run would charge it to whichever side it favoured.
 */
function blockRatios(rounds: Round[], key: "value" | "cpuMs"): number[] {
  const ratios: number[] = [];
  for (let i = 0; i + ROUND_ORDER.length <= rounds.length; i += ROUND_ORDER.length) {
    const block = rounds.slice(i, i + ROUND_ORDER.length);
    const mean = (mode: "off" | "on") => {
      const values = block.filter((r) => r.mode === mode).map((r) => r[key]);
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    ratios.push(mean("on") / mean("off"));
  }
  return ratios.sort((a, b) => a - b);
}

/** The cost of "on": the median block's on/off ratio (for a rate, the loss). */
function cost(rounds: Round[], key: "value" | "cpuMs", higherIsBetter: boolean): number {
  const ratio = median(blockRatios(rounds, key));
  return higherIsBetter ? 1 - ratio : ratio - 1;
}

/** How far the blocks disagree: half the spread of their middle half (the interquartile range over two). */
function noise(rounds: Round[], key: "value" | "cpuMs"): number {
  const ratios = blockRatios(rounds, key);
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.round(q * (ratios.length - 1)))]!;
  return (at(0.75) - at(0.25)) / 2;
}

type Receiver = { endpoint: string; spans(): Promise<number>; stop(): void };

/** The OTLP/HTTP receiver (scripts/otlp-receiver.ts) as a process of its own. */
async function startReceiverProcess(): Promise<Receiver> {
  const child = spawn(bin("tsx"), ["scripts/otlp-receiver.ts"], {
    cwd: root,
    env: baseEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const first = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", (code) => reject(new Error(`the OTLP receiver exited with ${code}`)));
  });
  const { endpoint, stats } = JSON.parse(first) as { endpoint: string; stats: string };
  return {
    endpoint,
    spans: async () => ((await (await fetch(stats)).json()) as { spans: number }).spans,
    stop: () => child.kill("SIGTERM"),
  };
}

type Emulator = {
  authorityHost: string;
  caCertPath: string;
  clientSecret: string;
  graphUrl: string;
  environmentUrl: (name: string) => string;
  stop(): void;
};

/** The emulator as its own process (`npm run emulator`), so this process's CPU time is the portal's alone. */
async function startEmulatorProcess(): Promise<Emulator> {
  const port = await freePort();
  const runtimeFile = path.join(root, ".emulator", `runtime-bench-${port}.json`);
  rmSync(runtimeFile, { force: true });
  const child = spawn(bin("tsx"), ["emulator/cli.ts"], {
    cwd: root,
    env: baseEnv({ EMULATOR_PORT: String(port), EMULATOR_RUNTIME_FILE: runtimeFile }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitFor(() => existsSync(runtimeFile), { timeoutMs: 60_000, what: "the emulator to start" });
  const runtime = JSON.parse(readFileSync(runtimeFile, "utf8")) as {
    authorityHost: string;
    caCertPath: string;
    clientSecret: string;
    graphUrl: string;
    environments: Array<{ name: string; url: string }>;
  };
  return {
    ...runtime,
    environmentUrl: (name) => runtime.environments.find((e) => e.name === name)!.url,
    stop: () => {
      child.kill("SIGTERM");
      rmSync(runtimeFile, { force: true });
    },
  };
}

/** CPU time (ms) of a process and its descendants, from /proc (Linux). */
const treeCpuMs = (pid: number) => totalCpuMs(descendantPids(pid));

function portalEnv(emulator: Emulator, databaseUrl: string, port: number): Record<string, string> {
  return {
    PORTAL_MODE: "demo",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    AUTH_URL: `http://localhost:${port}`,
    AUTH_SECRET,
    ENTRA_AUTHORITY_HOST: emulator.authorityHost,
    ENTRA_CLIENT_ID: DEMO_IDS.clientId,
    ENTRA_CLIENT_SECRET: emulator.clientSecret,
    ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
    DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
    GRAPH_URL: emulator.graphUrl,
    OUTBOUND_TIMEOUT_MS: "5000",
    RECHECK_INTERVAL_MINUTES: "0",
    LOG_LEVEL: "warn",
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
  };
}

/** The warm check, off and on, in this process. */
async function warmCheck(emulator: Emulator, databaseUrl: string, receiver: Receiver): Promise<Round[]> {
  const { db } = await import("../../lib/db/client");
  const { customerScope } = await import("../../lib/data/scope");
  const { runCheck } = await import("../../lib/checks/launch");
  const { setMetricsEnabled } = await import("../../lib/observability/metrics");
  const { flushTraces, setTracingPaused, startTracing, stopTracing } =
    await import("../../lib/observability/otel-node");

  const tenantId = DEMO_IDS.tenants.fabrikam;
  const url = emulator.environmentUrl("fabrikam");
  await db().tenant.upsert({ where: { id: tenantId }, create: { id: tenantId, consentState: "GRANTED" }, update: {} });
  const env = await db().environment.upsert({
    where: { url },
    create: { tenantId, url },
    update: {},
    select: { id: true },
  });
  const scope = customerScope({
    id: "00000000-0000-4000-8000-000000000001",
    kind: "customer",
    entraTenantId: tenantId,
    tenantId,
    userObjectId: "00000000-0000-4000-8000-0000000000aa",
    userName: "bench",
    userPrincipalName: null,
    appRoles: [],
    tenantAdmin: true,
    authenticatedAt: new Date(),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  const target = { environmentId: env.id, environmentUrl: url };
  const once = async () => {
    const started = performance.now();
    const { outcome } = await runCheck(scope, target, "SYSTEM");
    if (outcome !== "PASSED") throw new Error(`bench check did not pass: ${outcome}`);
    return performance.now() - started;
  };
  await startTracing({ endpoint: receiver.endpoint, headers: {}, serviceName: "bench" }, { incomingRequests: false });
  // Cold, then warm code paths (JIT) and the token cache, on both sides.
  for (const on of [false, true, false]) {
    setMetricsEnabled(on);
    await setTracingPaused(!on);
    for (let i = 0; i < 15; i++) await once();
  }
  const rounds: Round[] = [];
  for (let i = 0; i < CHECK_ROUNDS; i++) {
    const mode = ROUND_ORDER[i % ROUND_ORDER.length]!;
    setMetricsEnabled(mode === "on");
    await setTracingPaused(mode === "off");
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let j = 0; j < CHECKS_PER_ROUND; j++) times.push(await once());
    if (mode === "on") await flushTraces(); // exporting is part of the cost
    const used = process.cpuUsage(cpu);
    rounds.push({ mode, value: median(times), cpuMs: (used.user + used.system) / 1000 / CHECKS_PER_ROUND });
  }
  setMetricsEnabled(false);
  await stopTracing();
  await db().$disconnect();
  return rounds;
}

/** A signed-in customer administrator's session cookie (the row the portal looks up, in next-auth's JWE). */
async function sessionCookie(): Promise<string> {
  const { startSession } = await import("../../lib/data/sessions");
  const { encode } = await import("next-auth/jwt");
  const sid = await startSession(
    {
      tenantId: DEMO_IDS.tenants.fabrikam,
      objectId: "00000000-0000-4000-8000-0000000000bb",
      name: "Bench Admin",
      userPrincipalName: "bench@fabrikam.onmicrosoft.com",
      kind: "customer",
      roles: [],
      tenantAdmin: true,
    },
    { source: "DIRECT", sourceTag: null, invitationId: null },
    3600,
  );
  const token = await encode({
    token: { sid, name: "Bench Admin" },
    secret: AUTH_SECRET,
    salt: "authjs.session-token",
    maxAge: 3600,
  });
  return `authjs.session-token=${token}`;
}

type Portal = { stop(): Promise<void>; origin: string; pid: number; inspectPort: number | null };

async function startNext(env: Record<string, string>): Promise<Portal> {
  const inspectPort = PROFILE_DIR ? await freePort() : null;
  const child: ChildProcess = spawn(bin("next"), ["start", "-p", env.PORT!], {
    cwd: root,
    env: baseEnv({
      ...env,
      // Where the inspector opens when asked (SIGUSR1): the profile of OBSERVABILITY_BENCH_PROFILE.
      ...(inspectPort
        ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim() }
        : {}),
    }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const origin = `http://localhost:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    const answered = await fetch(`${origin}/api/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) throw new Error("next start did not answer");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    pid: child.pid!,
    inspectPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Requests per second of /onboarding at CONCURRENCY for `seconds`, and the server's CPU ms per request. */
async function pageThroughput(
  origin: string,
  cookie: string,
  pid: number,
  seconds: number,
): Promise<{ rate: number; cpuMs: number }> {
  const hit = async () => {
    const response = await fetch(`${origin}/onboarding`, { headers: { cookie }, redirect: "manual" });
    const body = await response.text();
    // 200 with the page (a session the portal did not accept would be redirected to /signin).
    if (response.status !== 200 || !body.includes("<html")) throw new Error(`/onboarding answered ${response.status}`);
  };
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const cpuBefore = treeCpuMs(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await hit();
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rate: done / elapsed, cpuMs: (treeCpuMs(pid) - cpuBefore) / done };
}

/** Where a sample's own time goes, by package or part (OBSERVABILITY_BENCH_PROFILE). */
function packageOf(source: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "(program: V8 and Node's C++)";
  if (source.includes("/lib/observability/")) return "the portal's observability code (lib/observability)";
  if (source.includes("async_hooks")) return "node:async_hooks (AsyncLocalStorage, hooks)";
  if (source.startsWith("node:")) return `${source.split("/")[0]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
  if (pkg === "next" && /\/compiled\/@opentelemetry\//.test(source)) return "next's bundled @opentelemetry/api";
  if (pkg) return pkg.startsWith("@opentelemetry/") ? `${pkg} (OpenTelemetry)` : pkg;
  if (source.includes("/.next/")) return "the build's chunks (no source map)";
  return source ? "the portal's own code" : "(no source)";
}

async function profilePortals(portals: Record<"off" | "on", Portal>, cookie: string): Promise<void> {
  const byMode = new Map<string, { perPackage: Map<string, number>; requests: number }>();
  for (const mode of ["off", "on"] as const) {
    const portal = portals[mode];
    const inspector = await attachInspector(portal.pid, portal.inspectPort!);
    try {
      const file = path.join(PROFILE_DIR!, `onboarding-${mode}.cpuprofile`);
      const { result, profile: cpu } = await profile(inspector, file, () =>
        pageThroughput(portal.origin, cookie, portal.pid, PROFILE_SECONDS),
      );
      const requests = Math.round(result.rate * PROFILE_SECONDS);
      byMode.set(mode, { perPackage: selfTime(cpu, packageOf), requests });
      console.log(`profile of /onboarding, ${mode}: ${requests} requests (${file})`);
    } finally {
      inspector.close();
    }
  }
  const off = byMode.get("off")!;
  const on = byMode.get("on")!;
  const perRequest = (m: { perPackage: Map<string, number>; requests: number }, key: string) =>
    (m.perPackage.get(key) ?? 0) / 1000 / m.requests;
  const keys = [...new Set([...off.perPackage.keys(), ...on.perPackage.keys()])].sort(
    (a, b) => perRequest(on, b) - perRequest(off, b) - (perRequest(on, a) - perRequest(off, a)),
  );
  const total = (m: typeof off) => [...m.perPackage.values()].reduce((a, b) => a + b, 0) / 1000 / m.requests;
  console.log(
    `self time per request (ms), off | on | on − off; total ${total(off).toFixed(2)} | ${total(on).toFixed(2)}`,
  );
  for (const key of keys.slice(0, 25))
    console.log(
      `  ${perRequest(off, key).toFixed(3).padStart(7)} | ${perRequest(on, key).toFixed(3).padStart(7)} | ${(perRequest(on, key) - perRequest(off, key)).toFixed(3).padStart(7)}  ${key}`,
    );
}

async function onboardingPage(emulator: Emulator, databaseUrl: string, receiver: Receiver): Promise<Round[]> {
  buildIfNeeded();
  const cookie = await sessionCookie();
  const [offPort, onPort] = [await freePort(), await freePort()];
  const portals = {
    off: await startNext(portalEnv(emulator, databaseUrl, offPort)),
    on: await startNext({
      ...portalEnv(emulator, databaseUrl, onPort),
      METRICS_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    }),
  };
  try {
    // Warm-up: 20 s of load each, in turns, before any round counts (the CPU per page kept falling for a minute
    // after a shorter one).
    for (let i = 0; i < 5; i++)
      for (const portal of Object.values(portals)) await pageThroughput(portal.origin, cookie, portal.pid, 4);
    const rounds: Round[] = [];
    for (let i = 0; i < PAGE_ROUNDS; i++) {
      const mode = ROUND_ORDER[i % ROUND_ORDER.length]!;
      const figures = await pageThroughput(portals[mode].origin, cookie, portals[mode].pid, PAGE_SECONDS);
      rounds.push({ mode, value: figures.rate, cpuMs: figures.cpuMs });
    }
    if (PROFILE_DIR) await profilePortals(portals, cookie);
    const scrape = await fetch(`${portals.on.origin}/api/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    if (scrape.status !== 200) throw new Error(`/api/metrics answered ${scrape.status}`);
    return rounds;
  } finally {
    await Promise.all(Object.values(portals).map((p) => p.stop()));
  }
}

async function child(): Promise<void> {
  const database = await benchDatabase("postgres", "bench-observability");
  const databaseUrl = database.url;
  const emulator = await startEmulatorProcess();
  const receiver = await startReceiverProcess();
  try {
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    // This process's data layer (the warm check, the session of the page's requests) is configured as the portal is.
    Object.assign(process.env, portalEnv(emulator, databaseUrl, 3000));
    // OBSERVABILITY_BENCH=check|page runs one half only.
    const only = process.env.OBSERVABILITY_BENCH;
    const check = only === "page" ? [] : await warmCheck(emulator, databaseUrl, receiver);
    const checkSpans = await receiver.spans();
    const page = only === "check" ? [] : await onboardingPage(emulator, databaseUrl, receiver);
    const pageSpans = (await receiver.spans()) - checkSpans;
    const of = (rounds: Round[], mode: "off" | "on", key: "value" | "cpuMs") =>
      median(rounds.filter((r) => r.mode === mode).map((r) => r[key]));
    const row = (label: string, rounds: Round[], key: "value" | "cpuMs", higherIsBetter: boolean) =>
      rounds.length > 0 &&
      console.log(
        `${label.padEnd(50)} | ${of(rounds, "off", key).toFixed(1).padStart(7)} | ${of(rounds, "on", key).toFixed(1).padStart(7)} | ${signed(cost(rounds, key, higherIsBetter)).padStart(7)} | ±${(noise(rounds, key) * 100).toFixed(1)}%`,
      );
    const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(
      `metrics + tracing off vs on (load average ${load}; the OTLP receiver got ${checkSpans} spans from the checks, ${pageSpans} from the pages)`,
    );
    console.log(`${"".padEnd(50)} | ${"off".padStart(7)} | ${"on".padStart(7)} | ${"cost".padStart(7)} | noise`);
    row(`warm check: CPU ms per check (${CHECK_ROUNDS} rounds)`, check, "cpuMs", false);
    row(`warm check: wall ms, median`, check, "value", false);
    row(`/onboarding: server CPU ms per request (${PAGE_ROUNDS} rounds)`, page, "cpuMs", false);
    const capacity = page.map((r) => ({ ...r, value: 1000 / r.cpuMs }));
    row(`/onboarding: throughput, requests/s a core can serve`, capacity, "value", true);
    row(`/onboarding: requests/s measured, ${CONCURRENCY} at once`, page, "value", true);
    console.log(
      "(off and on: medians of their rounds; cost: the median over blocks of four rounds (off, on, on, off) of on vs off within the block; noise: half the interquartile range of those block figures. The 5% budget is judged on the CPU rows and the throughput they allow: 1000 / CPU ms per request.)",
    );
    const list = (rounds: Round[], key: "value" | "cpuMs") =>
      rounds.map((r) => `${r.mode === "on" ? "+" : "-"}${r[key].toFixed(1)}`).join(" ");
    if (check.length) console.log(`  rounds, check CPU ms: ${list(check, "cpuMs")}`);
    if (page.length) console.log(`  rounds, page CPU ms: ${list(page, "cpuMs")}`);
  } finally {
    receiver.stop();
    emulator.stop();
    await database.drop();
  }
}

export async function run(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, [...process.execArgv, self, "child"], { stdio: "inherit", env: process.env });
    proc.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`observability bench exited with ${code}`))));
  });
}

// Run as a child: `tsx --conditions=react-server scripts/bench/observability.ts child`.
if (
  process.argv[1] &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) &&
  process.argv[2] === "child"
) {
  child().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
