// Signed-in pages against the demo (issue 25): `npm run demo` on ports of its own and a fresh database, once on the
// embedded database (PGlite: the demo's default, whose SQL runs in the portal's own process) and once on PostgreSQL
// (production's: a database of its own on the test server, TEST_DATABASE_URL), each migrated and seeded by the demo;
// a customer administrator (Fabrikam's Diego Siciliani: consented, one monitored environment with three days of
// checks) signed in through the emulator's pages, then autocannon at 10 connections on the landing page,
// /onboarding, the environments list and that environment's page — interleaved, page after page, round after round,
// so the neighbours' load on a shared machine falls on every page alike. Every request carries the signed-in
// cookie, so the landing page resolves the session too (its header says "Your onboarding") and the ratios compare
// what each page adds to it. Printed per page: requests/s and p50/p99 latency (medians of the rounds), the server's
// CPU time per request (from /proc: steadier than requests/s when others load the machine), and the ratio of its
// requests/s to the landing page's of the same round (median, range) beside its goal.
//
// Environment: PAGES_BENCH_SECONDS (5, per page and round), PAGES_BENCH_ROUNDS (3), PAGES_BENCH_CONNECTIONS (10),
// PAGES_BENCH_DATABASES (pglite,postgres).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { freePort } from "../postgres/embedded";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { baseEnv, bin, buildIfNeeded, root } from "../lib.mjs";
import { attachInspector } from "./inspector";
import { descendantPids, listProcesses, totalCpuMs } from "./process-cpu";
import { median } from "./stats";
import { concerns, installStatementCounter, profile, takeStatements } from "./pages-profile";
import { signInThroughEmulator } from "./sign-in";
import { withBenchDatabase, type BenchDatabaseKind } from "./bench-database";

const SECONDS = Number(process.env.PAGES_BENCH_SECONDS || 5);
const ROUNDS = Number(process.env.PAGES_BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.PAGES_BENCH_CONNECTIONS || 10);
const DATABASES = (process.env.PAGES_BENCH_DATABASES || "pglite,postgres").split(",") as BenchDatabaseKind[];
const DATABASE_LABEL: Record<BenchDatabaseKind, string> = {
  pglite: "the embedded database (PGlite, in the portal's process: its SQL work is the portal's CPU)",
  postgres: "PostgreSQL (its own processes; the portal's CPU is the client's side)",
};
const ADMIN = "diego@fabrikam.onmicrosoft.com";
// PAGES_BENCH_PROFILE=<folder>: after the rounds, one more pass per page with the portal's inspector attached, printing
// the SQL statements per request and where its CPU time went, and writing each page's .cpuprofile (and its HTML) there.
const PROFILE_DIR = process.env.PAGES_BENCH_PROFILE || null;

type Target = { label: string; path: string; goal: number | null; expect: string };

type Demo = { origin: string; serverPids: number[]; inspectPort: number | null; stop(): Promise<void> };

/** `npm run demo` (emulator, migrated and seeded embedded database, `next start`) on free ports. */
async function startDemo(databaseUrl: string, inspectPort: number | null): Promise<Demo> {
  const [port, emulatorPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(bin("tsx"), ["scripts/demo.ts"], {
    cwd: root,
    env: baseEnv({
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      DATABASE_URL: databaseUrl,
      RECHECK_INTERVAL_MINUTES: "0",
      LOG_LEVEL: "warn",
      // Where an inspector opens when it is asked for (SIGUSR1, to the portal's process only): the profile below.
      ...(inspectPort
        ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim() }
        : {}),
    }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const origin = `http://localhost:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}`);
    if (
      await fetch(`${origin}/api/health/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error("the demo did not answer");
    await new Promise((r) => setTimeout(r, 500));
  }
  // The portal's own process (and any it started): `next start`, among the demo's descendants.
  const server = listProcesses().find(
    (p) =>
      descendantPids(child.pid!).includes(p.pid) &&
      /\bnext(-server|\s+start)\b/.test(p.cmdline) &&
      !p.cmdline.includes("tsx"),
  );
  if (!server) throw new Error("the portal's process was not found");
  return {
    origin,
    serverPids: descendantPids(server.pid),
    inspectPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** What the page answers with the session: 200 and its own content (not the sign-in page it would redirect to). */
async function verify(origin: string, cookie: string, target: Target): Promise<string> {
  const response = await fetch(`${origin}${target.path}`, { headers: { cookie }, redirect: "manual" });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(target.expect))
    throw new Error(`${target.path} answered ${response.status} without “${target.expect}”`);
  return body;
}

type Round = { rps: number; p50: number; p99: number; cpuMsPerRequest: number };

async function load(origin: string, cookie: string, target: Target, pids: number[], seconds: number): Promise<Round> {
  const cpuBefore = totalCpuMs(pids);
  const result = await autocannon({
    url: `${origin}${target.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { cookie },
  });
  const cpu = totalCpuMs(pids) - cpuBefore;
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0)
    throw new Error(
      `${target.path}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMsPerRequest: cpu / Math.max(1, result.requests.total),
  };
}

async function profilePages(demo: Demo, cookie: string, targets: Target[]): Promise<void> {
  const inspector = await attachInspector(demo.serverPids[0]!, demo.inspectPort!);
  try {
    await installStatementCounter(inspector);
    for (const [i, target] of targets.entries()) {
      await takeStatements(inspector);
      const file = path.join(PROFILE_DIR!, `page-${i}.cpuprofile`);
      const { result, profile: cpu } = await profile(inspector, file, () =>
        autocannon({
          url: `${demo.origin}${target.path}`,
          connections: CONNECTIONS,
          duration: SECONDS,
          headers: { cookie },
        }),
      );
      const statements = await takeStatements(inspector);
      const requests = result.requests.total;
      console.log(
        `\n${target.label}: ${requests} requests, ${(statements.count / requests).toFixed(1)} SQL statements per request (${file}; the queue's own statements and requests still in flight included)`,
      );
      for (const [sql, n] of Object.entries(statements.bySql)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15))
        console.log(`  ${(n / requests).toFixed(2).padStart(6)}× ${sql}`);
      const busy = concerns(cpu);
      const total = busy.reduce((sum, [, us]) => sum + us, 0);
      console.log(`  CPU busy ${(total / 1000 / requests).toFixed(1)} ms per request (profiled), of which:`);
      for (const [concern, us] of busy)
        console.log(
          `  ${(us / 1000 / requests).toFixed(1).padStart(6)} ms ${((100 * us) / total).toFixed(0).padStart(3)}%  ${concern}`,
        );
    }
  } finally {
    inspector.close();
  }
}

export async function run(): Promise<void> {
  buildIfNeeded();
  for (const kind of DATABASES) await withBenchDatabase(kind, "bench-pages", (url) => measure(kind, url));
}

async function measure(kind: BenchDatabaseKind, databaseUrl: string): Promise<void> {
  const demo = await startDemo(databaseUrl, PROFILE_DIR ? await freePort() : null);
  try {
    const cookie = await signInThroughEmulator(demo.origin, ADMIN);
    const list = await verify(demo.origin, cookie, {
      label: "",
      path: "/onboarding/environments",
      goal: null,
      expect: "Registered environments",
    });
    const environmentId = /href="\/onboarding\/environments\/([0-9a-f-]{36})"/.exec(list)?.[1];
    if (!environmentId) throw new Error("the environments list shows no environment");
    const targets: Target[] = [
      { label: "landing page /", path: "/", goal: null, expect: "Your onboarding" },
      { label: "/onboarding", path: "/onboarding", goal: 0.8, expect: "Onboarding steps" },
      { label: "environments list", path: "/onboarding/environments", goal: 0.8, expect: "Registered environments" },
      {
        label: "an environment's page",
        path: `/onboarding/environments/${environmentId}`,
        goal: 0.6,
        expect: "Check history",
      },
    ];
    const sizes = new Map<Target, number>();
    if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
    for (const [i, target] of targets.entries()) {
      const html = await verify(demo.origin, cookie, target);
      sizes.set(target, Buffer.byteLength(html));
      // The profile's folder keeps each page's HTML beside its CPU profile: what the bytes are.
      if (PROFILE_DIR) writeFileSync(path.join(PROFILE_DIR, `page-${i}.html`), html);
    }
    // Warm-up (JIT, the database's caches), one short pass over every page.
    for (const target of targets) await load(demo.origin, cookie, target, demo.serverPids, 2);
    const rounds = new Map<Target, Round[]>(targets.map((t) => [t, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const target of targets)
        rounds.get(target)!.push(await load(demo.origin, cookie, target, demo.serverPids, SECONDS));

    const landing = rounds.get(targets[0]!)!;
    const loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    console.log(
      `\nsigned-in pages on ${DATABASE_LABEL[kind]}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s per page (load average ${loadAverage}; ${os.cpus().length} cores)`,
    );
    console.log(
      `${"page".padEnd(24)} | ${"req/s".padStart(6)} | ${"p50 ms".padStart(6)} | ${"p99 ms".padStart(6)} | ${"CPU ms/req".padStart(10)} | ${"KB".padStart(4)} | ratio to landing (range)    | goal`,
    );
    for (const target of targets) {
      const of = rounds.get(target)!;
      const ratios = of.map((r, i) => r.rps / landing[i]!.rps);
      const ratio =
        target.goal === null
          ? ""
          : `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
      const goal = target.goal === null ? "" : `≥ ${target.goal}× ${median(ratios) >= target.goal ? "met" : "NOT met"}`;
      console.log(
        `${target.label.padEnd(24)} | ${median(of.map((r) => r.rps))
          .toFixed(0)
          .padStart(6)} | ${median(of.map((r) => r.p50))
          .toFixed(0)
          .padStart(6)} | ${median(of.map((r) => r.p99))
          .toFixed(0)
          .padStart(6)} | ${median(of.map((r) => r.cpuMsPerRequest))
          .toFixed(1)
          .padStart(10)} | ${(sizes.get(target)! / 1024).toFixed(0).padStart(4)} | ${ratio.padEnd(27)} | ${goal}`,
      );
    }
    console.log(
      "(medians of the rounds; CPU ms/req: the portal's process, from /proc; KB: the page's HTML; the ratio is each round's requests/s over the landing page's in the same round)",
    );
    if (PROFILE_DIR) await profilePages(demo, cookie, targets);
  } finally {
    await demo.stop();
  }
}
