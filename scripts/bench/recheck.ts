// Scheduled re-verification at scale: BENCH_RECHECK_ENVIRONMENTS (default 10,000) environments over 20 tenants,
// each Dataverse and Entra request delayed by L = 50 ms, all due in one plan and worked by one worker with the
// configured caps (RECHECK_CONCURRENCY, RECHECK_TENANT_CONCURRENCY). Prints the wall time against the
// concurrency-bound ideal (environments × round trips × L / concurrency) as a ratio; the highest number of checks
// seen running at once per tenant (never above the cap); token requests per tenant (coalesced: one each while
// the cache is cold); the Retry-After waits honoured; and the CPU time per check (this process: portal + queue +
// database client + emulator). On 2 cores the run is bound by CPU, not latency: try BENCH_RECHECK_ENVIRONMENTS=400 first.
// The database is PostgreSQL, as in production: a fresh database on the test server (TEST_DATABASE_URL; `npm run
// bench` starts an embedded one when none answers), so its work runs in its own processes as it would on a
// database server. BENCH_RECHECK_DATABASE=pglite runs it on the embedded database instead, inside this process,
// where PGlite's WebAssembly takes about half the CPU (measured with --cpu-prof on 200 environments).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmulator, scenario, testCredentials, EMULATED_DATAVERSE_HOST_SUFFIXES } from "@tenant-onboarding/emulator";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { testDatabaseUrl } from "../postgres/test-url";

const ENVIRONMENTS = Number(process.env.BENCH_RECHECK_ENVIRONMENTS ?? 10_000);
const TENANTS = 20;
const LATENCY_MS = 50;
const THROTTLED = 5;
const DATABASE = process.env.BENCH_RECHECK_DATABASE === "pglite" ? "pglite" : "postgres";

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A fresh database of the chosen kind, and how to remove it. */
async function benchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (DATABASE === "pglite") {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-recheck-"));
    return { url: `pglite:${dataDir}`, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `bench_recheck_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function run(): Promise<void> {
  const perTenant = Math.ceil(ENVIRONMENTS / TENANTS);
  const built = scenario({
    credentials: testCredentials(),
    customers: Array.from({ length: TENANTS }, (_, t) => ({
      name: `Bench ${t}`,
      environments: Array.from({ length: perTenant }, (_, e) => ({ name: `b${t}e${e}` })).slice(0, Math.max(0, Math.min(perTenant, ENVIRONMENTS - t * perTenant))),
    })),
  });
  console.log(`setting up ${ENVIRONMENTS} environments over ${TENANTS} tenants…`);
  const emulator = await startEmulator({ scenario: built });
  const database = await benchDatabase();
  try {
    const databaseUrl = database.url;
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    const home = (built as unknown as { app: { clientId: string; homeTenantId: string } }).app;
    Object.assign(process.env, {
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      ENTRA_AUTHORITY_HOST: emulator.authorityHost,
      ENTRA_CLIENT_ID: home.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: home.homeTenantId,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
      RECHECK_INTERVAL_MINUTES: "1",
    });
    const { db } = await import("../../lib/db/client");
    const { config } = await import("../../lib/config");
    const { queue, stopQueue } = await import("../../lib/monitoring/queue");
    const { planRechecks, RecheckWorker } = await import("../../lib/monitoring/recheck");

    const environments = (built as unknown as { environments: Array<{ name: string; tenantId: string }> }).environments;
    const tenantIds = [...new Set(environments.map((e) => e.tenantId))];
    await db().tenant.createMany({ data: tenantIds.map((id) => ({ id, consentState: "GRANTED" as const })) });
    const verified = new Date(Date.now() - 3600_000);
    for (let i = 0; i < environments.length; i += 1000) {
      await db().environment.createMany({ data: environments.slice(i, i + 1000).map((e) => ({ tenantId: e.tenantId, url: emulator.environmentUrl(e.name), lastVerifiedAt: verified })) });
    }
    const boss = await queue({ worker: true });
    const limits = config().monitoring;
    emulator.admin.setFaults({ latencyMs: LATENCY_MS });
    // A few environments answer 429 with Retry-After once: the check waits it out.
    for (const e of environments.slice(0, THROTTLED)) emulator.admin.throttle({ environment: e.name, count: 1, retryAfterSeconds: 1 });

    const queued = await planRechecks(new Date(), { jitter: false });
    const worker = new RecheckWorker(boss, limits, 50);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await worker.drain();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);

    const checks = await db().connectionCheck.findMany({ where: { trigger: "SCHEDULED" }, select: { tenantId: true, outcome: true, entraRequests: true, dataverseRequests: true } });
    const roundTrips = checks.reduce((n, c) => n + c.dataverseRequests, 0) / Math.max(1, checks.length);
    const ideal = (checks.length * roundTrips * LATENCY_MS) / limits.concurrency;
    const tokens = new Map<string, number>();
    for (const c of checks) tokens.set(c.tenantId, (tokens.get(c.tenantId) ?? 0) + c.entraRequests);
    const [waited] = await db().$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "CheckStep" WHERE "result" ? 'throttledWaitsSeconds'`;
    const peaks = [...worker.peak.perTenant.values()];
    console.log(`environments ${queued} queued, ${checks.length} checked (${checks.filter((c) => c.outcome === "PASSED").length} passed) over ${tenantIds.length} tenants on ${DATABASE === "pglite" ? "PGlite (in this process)" : "PostgreSQL"}; L = ${LATENCY_MS} ms; concurrency ${limits.concurrency}, per tenant ${limits.tenantConcurrency}`);
    console.log(`wall time ${(wallMs / 1000).toFixed(1)} s vs ideal ${(ideal / 1000).toFixed(1)} s (${roundTrips.toFixed(2)} Dataverse round trips per check): ratio ${(wallMs / ideal).toFixed(2)}`);
    console.log(`highest concurrent checks per tenant: ${Math.max(...peaks)} (cap ${limits.tenantConcurrency}); overall ${worker.peak.overall} (cap ${limits.concurrency})`);
    // A Dataverse token's audience is one environment (<environment URL>/.default), so a tenant's environments
    // cannot share one: the floor is one token request per environment per token lifetime, per process.
    console.log(`token requests per tenant: min ${Math.min(...tokens.values())}, max ${Math.max(...tokens.values())} (${perTenant} environments each; a token is per environment)`);
    console.log(`Retry-After: ${THROTTLED} environments throttled once, ${waited?.n ?? 0} waits recorded on their steps`);
    console.log(`CPU time per check: ${((cpu.user + cpu.system) / 1000 / Math.max(1, checks.length)).toFixed(1)} ms (user+system of this process, emulator included)`);
    await worker.stop();
    await stopQueue();
    await db().$disconnect();
  } finally {
    await emulator.close();
    await database.drop();
  }
}
