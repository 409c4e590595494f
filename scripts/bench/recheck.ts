// Scheduled re-verification at scale: BENCH_RECHECK_ENVIRONMENTS (default 10,000) environments over 20 tenants,
// each Dataverse and Entra request delayed by L = 50 ms, all due in one plan and worked by one worker with the
// configured caps (RECHECK_CONCURRENCY, RECHECK_TENANT_CONCURRENCY). Prints the wall time against the
// concurrency-bound ideal (environments × round trips × L / concurrency) as a ratio; the highest number of checks
// seen running at once per tenant (never above the cap); token requests per tenant (coalesced: one each while
// the cache is cold); the Retry-After waits honoured; and the CPU time per scheduled check, apart: the portal's process
// (worker, queue, checks, database client; goal ≤ 10 ms on PostgreSQL, so one core re-verifies 360,000 environments an
// hour), the emulator's (it runs in a process of its own: scripts/bench/emulator-process.ts) and the database server's
// backends (read from /proc: a server on this machine); and what re-verifying 1,000,000 environments hourly would take
// in cores. BENCH_RECHECK_PROFILE=1 profiles the portal's process while it works (V8's sampler, as --cpu-prof does)
// and prints where its CPU time goes; the .cpuprofile is kept for Chrome DevTools.
// On 2 cores the run is bound by CPU, not latency: try BENCH_RECHECK_ENVIRONMENTS=400 first.
// The database is PostgreSQL, as in production: a fresh database on the test server (TEST_DATABASE_URL; `npm run
// bench` starts an embedded one when none answers), so its work runs in its own processes as it would on a
// database server. BENCH_RECHECK_DATABASE=pglite runs it on the embedded database instead, inside this process,
// where PGlite's WebAssembly takes about half the CPU (measured with --cpu-prof on 200 environments).
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import pg from "pg";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { benchDatabase } from "./bench-database";
import { profiled, summarise } from "./cpu-profile";
import { startEmulatorProcess } from "./emulator-process";
import { cpuBetween, processCpuMs } from "./process-cpu";

const ENVIRONMENTS = Number(process.env.BENCH_RECHECK_ENVIRONMENTS ?? 10_000);
const TENANTS = 20;
const LATENCY_MS = 50;
const THROTTLED = 5;
const DATABASE = process.env.BENCH_RECHECK_DATABASE === "pglite" ? "pglite" : "postgres";
const PROFILE = Boolean(process.env.BENCH_RECHECK_PROFILE);
/** The issue's goal for the portal's own CPU time per scheduled check, on PostgreSQL. */
const GOAL_MS = 10;
/** The fleet the projection is for: this many environments, each re-verified once an hour. */
const FLEET = 1_000_000;

/**
 * Counts, while the worker drains, the SQL statements this process sends (node-postgres, which both Prisma's adapter
 * and the queue use) and the TLS connections it opens: what the portal's CPU time is spent on, in numbers.
 */
function countTraffic() {
  const counts = { statements: 0, transactions: 0, queue: 0, tlsConnections: 0, byShape: new Map<string, number>() };
  const query = pg.Client.prototype.query;
  const connect = tls.connect;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string } | undefined;
    const text = (typeof config === "string" ? config : (config?.text ?? "")).trimStart();
    counts.statements++;
    // The statement's shape: its first words, with Prisma's quoting and parameters left out.
    const shape = text
      .replace(/"public"\./g, "")
      .replace(/"/g, "")
      .replace(/\s+/g, " ")
      .slice(0, 90);
    counts.byShape.set(shape, (counts.byShape.get(shape) ?? 0) + 1);
    if (/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(text)) counts.transactions++;
    else if (/pgboss\./i.test(text)) counts.queue++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  tls.connect = function (this: unknown, ...args: unknown[]) {
    counts.tlsConnections++;
    return (connect as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  } as typeof tls.connect;
  return {
    counts,
    stop() {
      pg.Client.prototype.query = query;
      tls.connect = connect;
    },
  };
}

export async function run(): Promise<void> {
  const perTenant = Math.ceil(ENVIRONMENTS / TENANTS);
  const names = Array.from({ length: TENANTS }, (_, t) =>
    Array.from({ length: perTenant }, (_, e) => `b${t}e${e}`).slice(
      0,
      Math.max(0, Math.min(perTenant, ENVIRONMENTS - t * perTenant)),
    ),
  );
  console.log(`setting up ${ENVIRONMENTS} environments over ${TENANTS} tenants…`);
  // Each Dataverse and Entra request is delayed by L; a few environments answer 429 with Retry-After once: the
  // check waits it out.
  const emulator = await startEmulatorProcess({
    environments: names,
    latencyMs: LATENCY_MS,
    throttle: { environments: names.flat().slice(0, THROTTLED), retryAfterSeconds: 1 },
  });
  const database = await benchDatabase(DATABASE, "bench-recheck");
  try {
    const databaseUrl = database.url;
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    const home = emulator.info;
    Object.assign(process.env, {
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      ENTRA_AUTHORITY_HOST: home.authorityHost,
      ENTRA_CLIENT_ID: home.clientId,
      ENTRA_CLIENT_SECRET: home.clientSecret,
      ENTRA_HOME_TENANT_ID: home.homeTenantId,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: home.hostSuffixes.join(","),
      RECHECK_INTERVAL_MINUTES: "1",
    });
    const { db } = await import("../../lib/db/client");
    const { config } = await import("../../lib/config");
    const { queue, stopQueue } = await import("../../lib/queue");
    const { planRechecks, RecheckWorker } = await import("../../lib/recheck");

    const environments = home.environments;
    const tenantIds = [...new Set(environments.map((e) => e.tenantId))];
    await db().tenant.createMany({ data: tenantIds.map((id) => ({ id, consentState: "GRANTED" as const })) });
    const verified = new Date(Date.now() - 3600_000);
    for (let i = 0; i < environments.length; i += 1000) {
      await db().environment.createMany({
        data: environments
          .slice(i, i + 1000)
          .map((e) => ({ tenantId: e.tenantId, url: e.url, lastVerifiedAt: verified })),
      });
    }
    const boss = await queue({ worker: true });
    const limits = config().monitoring;

    const worker = new RecheckWorker(boss, limits, 50);
    // The database server's processes serving this database (the portal's pool and the queue's), read from /proc.
    const backends = async () =>
      DATABASE === "postgres"
        ? (
            await db().$queryRaw<
              Array<{ pid: number }>
            >`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`
          ).map((r) => r.pid)
        : [];

    /** Plans every environment, works the queue to the end, and measures it. */
    const round = async (name: string) => {
      const since = new Date();
      const queued = await planRechecks(since, { jitter: false });
      const traffic = countTraffic();
      const databaseBefore = processCpuMs(await backends());
      const emulatorBefore = await emulator.cpu();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const profileFile = path.join(os.tmpdir(), `recheck-portal-${name}-${Date.now()}.cpuprofile`);
      const profile = PROFILE
        ? (await profiled(profileFile, () => worker.drain())).profile
        : (await worker.drain(), null);
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      traffic.stop();
      const emulatorAfter = await emulator.cpu();
      const databaseMs = DATABASE === "postgres" ? cpuBetween(databaseBefore, processCpuMs(await backends())) : null;
      const checks = await db().connectionCheck.findMany({
        where: { trigger: "SCHEDULED", startedAt: { gte: since } },
        select: { tenantId: true, outcome: true, entraRequests: true, dataverseRequests: true },
      });
      return {
        name,
        queued,
        checks,
        wallMs,
        cpu,
        emulatorMs: (emulatorAfter.user - emulatorBefore.user + emulatorAfter.system - emulatorBefore.system) / 1000,
        databaseMs,
        traffic: traffic.counts,
        profile,
        profileFile,
      };
    };

    // The first round verifies each environment for the first time in this process (a token each, WhoAmI, then the
    // $batch); the second is the steady state of an hourly re-verification (the application user known: one $batch).
    const first = await round("first");
    const { checks, wallMs } = first;
    const roundTrips = checks.reduce((n, c) => n + c.dataverseRequests, 0) / Math.max(1, checks.length);
    const ideal = (checks.length * roundTrips * LATENCY_MS) / limits.concurrency;
    const tokens = new Map<string, number>();
    for (const c of checks) tokens.set(c.tenantId, (tokens.get(c.tenantId) ?? 0) + c.entraRequests);
    const [waited] = await db().$queryRaw<
      Array<{ n: number }>
    >`SELECT count(*)::int AS n FROM "CheckStep" WHERE "result" ? 'throttledWaitsSeconds'`;
    const peaks = [...worker.peak.perTenant.values()];
    console.log(
      `environments ${first.queued} queued, ${checks.length} checked (${checks.filter((c) => c.outcome === "PASSED").length} passed) over ${tenantIds.length} tenants on ${DATABASE === "pglite" ? "PGlite (in this process)" : "PostgreSQL"}; L = ${LATENCY_MS} ms; concurrency ${limits.concurrency}, per tenant ${limits.tenantConcurrency}`,
    );
    console.log(
      `wall time ${(wallMs / 1000).toFixed(1)} s vs ideal ${(ideal / 1000).toFixed(1)} s (${roundTrips.toFixed(2)} Dataverse round trips per check): ratio ${(wallMs / ideal).toFixed(2)}`,
    );
    console.log(
      `highest concurrent checks per tenant: ${Math.max(...peaks)} (cap ${limits.tenantConcurrency}); overall ${worker.peak.overall} (cap ${limits.concurrency})`,
    );
    // A Dataverse token's audience is one environment (<environment URL>/.default), so a tenant's environments
    // cannot share one: the floor is one token request per environment per token lifetime, per process.
    console.log(
      `token requests per tenant: min ${Math.min(...tokens.values())}, max ${Math.max(...tokens.values())} (${perTenant} environments each; a token is per environment)`,
    );
    console.log(
      `Retry-After: ${THROTTLED} environments throttled once, ${waited?.n ?? 0} waits recorded on their steps`,
    );
    const second = await round("second");

    const cores = (ms: number) => ((FLEET / 3600) * ms) / 1000;
    for (const r of [first, second]) {
      const count = Math.max(1, r.checks.length);
      const per = (x: number) => x / count;
      const portalMs = per((r.cpu.user + r.cpu.system) / 1000);
      const n = r.traffic;
      const requests = r.checks.reduce((a, c) => a + c.entraRequests + c.dataverseRequests, 0);
      const goal =
        DATABASE === "postgres"
          ? ` (goal ≤ ${GOAL_MS} ms on PostgreSQL: ${portalMs <= GOAL_MS ? "met" : "MISSED"})`
          : " (the embedded database's work included: it runs in this process)";
      console.log(
        `\n${r.name === "first" ? "first round (each environment's first check here: a token, WhoAmI, then the $batch)" : "second round (steady state: the token cached, the application user known, one $batch)"}: ${r.checks.length} checks in ${(r.wallMs / 1000).toFixed(1)} s`,
      );
      console.log(
        `  per check: ${per(n.statements).toFixed(1)} SQL statements (${per(n.transactions).toFixed(1)} of them BEGIN/COMMIT/ROLLBACK, ${per(n.queue).toFixed(1)} the queue's), ${per(requests).toFixed(2)} HTTPS requests, ${per(n.tlsConnections).toFixed(2)} TLS connections opened`,
      );
      console.log(`  CPU time per scheduled check, user + system:`);
      console.log(`    portal process   ${portalMs.toFixed(1).padStart(6)} ms${goal}`);
      console.log(
        `    emulator process ${per(r.emulatorMs).toFixed(1).padStart(6)} ms (Microsoft's side: not the portal's cost)`,
      );
      if (r.databaseMs !== null)
        console.log(
          `    database server  ${per(r.databaseMs).toFixed(1).padStart(6)} ms (its processes serving this database, from /proc)`,
        );
      console.log(
        `  projected for ${FLEET.toLocaleString("en")} environments re-verified hourly (${(FLEET / 3600).toFixed(0)} checks a second): portal ${cores(portalMs).toFixed(1)} cores${r.databaseMs !== null ? `, database ${cores(per(r.databaseMs)).toFixed(1)} cores` : ""}; one portal core re-verifies ${Math.floor(3_600_000 / portalMs).toLocaleString("en")} environments an hour`,
      );
      if (r.profile) {
        console.log(`  where the portal process's CPU time goes (a profile of the round, ${r.profileFile}):`);
        for (const line of summarise(r.profile)) console.log(`    ${line}`);
        console.log(`  the SQL statements of a check (per check, by their first words):`);
        for (const [shape, times] of [...n.byShape].sort((a, b) => b[1] - a[1]).slice(0, 30))
          console.log(`    ${per(times).toFixed(2).padStart(6)}  ${shape}`);
      }
    }
    await worker.stop();
    await stopQueue();
    await db().$disconnect();
  } finally {
    await emulator.close();
    await database.drop();
  }
}
