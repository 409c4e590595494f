// Several processes as one portal (issue 11, part 7, and its fault "the database restarting mid-run"): two
// `next start` replicas and one `npm run worker`, all against ONE fresh PostgreSQL database and the e2e stack's
// emulator. All three run the queue (RECHECK_WORKER=in-process on the replicas, the default), so the cron clock and
// the workers really compete: a session made on one replica works on the other, the API's rate limit holds across
// them, every scheduled job runs exactly once, and jobs in flight when the database goes away are finished once
// it is back. Ports: e2e.replicaPorts (the two after the stack's own portal).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { expect, test } from "@playwright/test";
import pg from "pg";
import PgBoss from "pg-boss";
import { DEMO_IDS, EMULATED_DATAVERSE_HOST_SUFFIXES } from "@tenant-onboarding/emulator";
import { parseDatabaseUrl } from "../../lib/db/url";
import { applyMigrations } from "../../scripts/db/migrations";
import { createTestDatabase, type TestDatabase } from "../support/databases";
import { blockDatabase, unblockDatabase } from "../support/postgres-control";
import { emulator, pickAccount, stageCustomer, type StagedCustomer } from "./support/emulator";
import { e2e } from "./support/env";
import { startPortal, startWorkerProcess } from "./support/portal-process";

test.describe.configure({ mode: "serial" });

const RATE_LIMIT = 6;
const ROUND_ENVS = ["r1", "r2", "r3", "r4"];
const FAULT_ENVS = ["f1", "f2", "f3", "f4"];

type Portal = Awaited<ReturnType<typeof startPortal>>;
type Worker = Awaited<ReturnType<typeof startWorkerProcess>>;
let database: TestDatabase;
let sql: pg.Client;
let customer: StagedCustomer;
let replicaA: Portal;
let replicaB: Portal;
let worker: Worker;
const envIds = new Map<string, string>();
const processes = () => [replicaA, replicaB, worker].filter(Boolean);
const killAll = () => processes().forEach((p) => p.kill());

async function rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await sql.query(text, values)).rows as T[];
}

/** Environment ids whose place in a one-minute interval (lib/data/monitoring.ts) is in its first 20 seconds. */
async function earlyInTheMinute(count: number): Promise<string[]> {
  const candidates = Array.from({ length: 200 }, () => randomUUID());
  const found = await rows<{ id: string }>(
    "SELECT id FROM unnest($1::text[]) AS id WHERE (hashtext(id)::bigint + 2147483648) % 60 < 20",
    [candidates],
  );
  expect(found.length).toBeGreaterThanOrEqual(count);
  return found.slice(0, count).map((r) => r.id);
}

test.beforeAll(async () => {
  test.setTimeout(150_000);
  process.once("exit", killAll);
  await emulator.reset();
  customer = await stageCustomer({
    name: "Replicas",
    environments: [...ROUND_ENVS, ...FAULT_ENVS].map((name) => ({ name })),
  });
  database = await createTestDatabase("postgres");
  await applyMigrations(parseDatabaseUrl(database.url));
  sql = new pg.Client({ connectionString: database.url });
  sql.on("error", () => {}); // the fault test terminates this connection too; it is reopened after
  await sql.connect();
  await sql.query(
    `INSERT INTO "Tenant" (id, "displayName", "primaryDomain", "consentState", "consentGrantedAt", "consentVerifiedAt", "updatedAt")
     VALUES ($1, 'Replicas', $2, 'GRANTED', now(), now(), now())`,
    [customer.tenantId, customer.domain],
  );
  // Verified environments are planned each minute (RECHECK_INTERVAL_MINUTES=1), each in the minute's first 20 s so
  // that one minute's round is over before the next starts. The fault test's are never verified, never planned:
  // it queues their jobs itself.
  const early = await earlyInTheMinute(ROUND_ENVS.length);
  ROUND_ENVS.forEach((name, i) => envIds.set(name, early[i]!));
  FAULT_ENVS.forEach((name) => envIds.set(name, randomUUID()));
  for (const [name, id] of envIds) {
    await sql.query(
      `INSERT INTO "Environment" (id, "tenantId", url, "lastVerifiedAt", "updatedAt") VALUES ($1, $2, $3, $4, now())`,
      [id, customer.tenantId, customer.environmentUrl(name), ROUND_ENVS.includes(name) ? new Date() : null],
    );
  }

  const runtime = JSON.parse(readFileSync(path.join(".emulator", `runtime-${e2e.emulatorPort}.json`), "utf8")) as {
    authorityHost: string;
    clientId: string;
    homeTenantId: string;
    clientSecret: string;
  };
  const shared = {
    PORTAL_MODE: "demo",
    DATABASE_URL: database.url,
    // The one secret every replica seals and opens the session cookie with.
    AUTH_SECRET: "replicas-e2e-secret-0123456789abcdef0123",
    ENTRA_AUTHORITY_HOST: runtime.authorityHost,
    ENTRA_CLIENT_ID: runtime.clientId,
    ENTRA_HOME_TENANT_ID: runtime.homeTenantId,
    ENTRA_CLIENT_SECRET: runtime.clientSecret,
    DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
    API_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    RECHECK_INTERVAL_MINUTES: "1",
    RECHECK_TENANT_CONCURRENCY: "8",
    RECHECK_WORKER: "in-process",
  };
  const [a, b] = e2e.replicaPorts.map(String) as [string, string];
  [replicaA, replicaB, worker] = await Promise.all([
    startPortal({ ...shared, PORT: a, AUTH_URL: `http://localhost:${a}` }),
    startPortal({ ...shared, PORT: b, AUTH_URL: `http://localhost:${b}` }),
    startWorkerProcess(shared),
  ]);
});

test.afterEach(async () => {
  // What the three processes said, to read when a test failed.
  const testInfo = test.info();
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const [name, p] of [
      ["replica A", replicaA],
      ["replica B", replicaB],
      ["worker", worker],
    ] as const)
      if (p) await testInfo.attach(name, { body: p.output(), contentType: "text/plain" });
  }
});

test.afterAll(async () => {
  await Promise.all(processes().map((p) => p.stop()));
  process.removeListener("exit", killAll);
  await sql?.end().catch(() => undefined);
  await database?.drop();
});

test("a session made by signing in on one replica works on the other, and signing out on one ends it on both", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${replicaA.baseURL}/signin?returnTo=${encodeURIComponent("/onboarding")}`);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(page, customer.admin);
  const accept = page.getByRole("button", { name: "Accept" });
  await page.waitForURL((url) => url.origin === replicaA.baseURL || url.pathname.includes("consent"));
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await page.waitForURL(`${replicaA.baseURL}/onboarding`);
  await expect(page.getByText(/^Signed in as/)).toContainText(customer.admin);

  // The same browser on replica B: the cookie (sealed with the shared AUTH_SECRET) names a session row B reads.
  await page.goto(`${replicaB.baseURL}/onboarding`);
  await expect(page).toHaveURL(`${replicaB.baseURL}/onboarding`);
  await expect(page.getByText(/^Signed in as/)).toContainText(customer.admin);
  const cookies = await context.cookies();

  await page.getByRole("button", { name: "Sign out" }).click();
  // Three processes on a small machine: the first sign-out of a fresh replica can take a while.
  await expect(page).toHaveURL(`${replicaB.baseURL}/`, { timeout: 60_000 });
  // The cookie, replayed on replica A, opens nothing: the session row was revoked, not just the cookie dropped.
  await context.addCookies(cookies);
  await page.goto(`${replicaA.baseURL}/onboarding`);
  await expect(page).toHaveURL(new RegExp(`^${replicaA.baseURL}/signin\\?returnTo=`));
  await context.close();
});

test("the API's rate limit holds across replicas: N requests spread over both pass, the next on either is refused", async () => {
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: DEMO_IDS.clientApps.backEnd,
      clientSecret: await emulator.clientAppSecret(DEMO_IDS.clientApps.backEnd),
      authority: `${e2e.emulatorURL}/${DEMO_IDS.tenants.northwind}`,
      knownAuthorities: [new URL(e2e.emulatorURL).host],
    },
  });
  const token = (await msal.acquireTokenByClientCredential({ scopes: [`api://${DEMO_IDS.clientId}/.default`] }))!
    .accessToken;
  const get = (replica: Portal) =>
    fetch(`${replica.baseURL}/api/v1/connections`, { headers: { Authorization: `Bearer ${token}` } });
  // The limit counts one-minute windows: start clear of a minute's end, so every request falls in one window.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
  for (let i = 0; i < RATE_LIMIT; i++) expect((await get(i % 2 === 0 ? replicaA : replicaB)).status).toBe(200);
  for (const replica of [replicaA, replicaB]) {
    const refused = await get(replica);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  }
  // One count in the one database.
  expect(await rows('SELECT "count" FROM "ApiRateWindow" WHERE "appId" = $1', [DEMO_IDS.clientApps.backEnd])).toEqual([
    { count: RATE_LIMIT },
  ]);
});

test("with the clock and a worker in all three processes, each minute is planned once and each scheduled check runs once", async () => {
  test.setTimeout(180_000);
  for (const p of processes())
    await expect
      .poll(() => p.output(), { timeout: 30_000 })
      .toContain("Worker: re-verifying every connected environment every 1 min");
  // A round is what one plan queued, so it is counted from that plan to the next plan (or, while there is none, to
  // now), not by the clock's minute: a plan runs at the same second of every minute, late in it on a loaded machine,
  // and its checks then start after the minute has turned. Every job a plan queues starts no earlier than the plan
  // and within its minute (lib/recheck/index.ts), so before the next plan.
  let from: Date | null = null;
  await expect
    .poll(
      async () => {
        from =
          (
            await rows<{ started_on: Date }>(
              "SELECT started_on FROM pgboss.job WHERE name = 'recheck-plan' AND state = 'completed' ORDER BY started_on LIMIT 1",
            )
          )[0]?.started_on ?? null;
        return from;
      },
      { timeout: 135_000, intervals: [1_000] },
    )
    .not.toBeNull();
  // The end of the round: the next plan's start, or now while no later plan has started (SQL, read in each query;
  // `from` came back in milliseconds, the database keeps microseconds).
  const roundEnd = `COALESCE((SELECT min(p.started_on) FROM pgboss.job p WHERE p.name = 'recheck-plan' AND date_trunc('milliseconds', p.started_on) > $1), now())`;
  const roundIds = ROUND_ENVS.map((n) => envIds.get(n)!);
  // Every job of that round has ended (each environment's job of the round is the one created by its plan).
  await expect
    .poll(
      async () =>
        (
          await rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'recheck' AND state = 'completed' AND start_after >= $1 AND start_after < ${roundEnd} AND singleton_key = ANY($2)`,
            [from, roundIds],
          )
        )[0]!.n,
      { timeout: 60_000, intervals: [1_000] },
    )
    .toBeGreaterThanOrEqual(roundIds.length);

  const checks = await rows<{ environmentId: string; n: number; finished: number }>(
    `SELECT "environmentId"::text AS "environmentId", count(*)::int AS n, count("finishedAt")::int AS finished
     FROM "ConnectionCheck" WHERE trigger = 'SCHEDULED' AND "startedAt" >= $1 AND "startedAt" < ${roundEnd} GROUP BY 1 ORDER BY 1`,
    [from],
  );
  expect(checks).toEqual([...roundIds].sort().map((environmentId) => ({ environmentId, n: 1, finished: 1 })));
  // One job per environment in the round, each completed once.
  const jobs = await rows<{ key: string; n: number }>(
    `SELECT singleton_key AS key, count(*)::int AS n FROM pgboss.job WHERE name = 'recheck' AND start_after >= $1 AND start_after < ${roundEnd} GROUP BY 1 ORDER BY 1`,
    [from],
  );
  expect(jobs).toEqual([...roundIds].sort().map((key) => ({ key, n: 1 })));
  // The clock fired once per minute across three processes: one cron send per minute, one plan per send.
  // (A send is completed once its plan job is inserted, so the plans lie between the completed sends and all of them.)
  const sends = await rows<{ n: number; completed: number }>(
    "SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'completed')::int AS completed FROM pgboss.job WHERE name = '__pgboss__send-it' GROUP BY singleton_on",
  );
  expect(sends.length).toBeGreaterThanOrEqual(1);
  expect(sends.every((s) => s.n === 1)).toBe(true);
  const plans = (await rows<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'recheck-plan'"))[0]!
    .n;
  expect(plans).toBeGreaterThanOrEqual(sends.filter((s) => s.completed === 1).length);
  expect(plans).toBeLessThanOrEqual(sends.length);
});

test("the database restarting mid-run: no process crashes, every job in flight ends with exactly one finished check, and new jobs still run", async () => {
  test.setTimeout(120_000);
  const faultIds = FAULT_ENVS.map((n) => envIds.get(n)!);
  const boss = new PgBoss({ connectionString: database.url, schedule: false, supervise: false, migrate: false });
  boss.on("error", () => {}); // this test's own client loses its connections too
  await boss.start();
  const queueFaultJobs = () =>
    boss.insert(
      faultIds.map((environmentId) => ({
        name: "recheck",
        data: { tenantId: customer.tenantId, environmentId },
        singletonKey: environmentId,
      })),
    );
  const scheduledChecks = async (since: Date) =>
    rows<{ environmentId: string; n: number; passed: number }>(
      `SELECT "environmentId"::text AS "environmentId", count(*)::int AS n, count(*) FILTER (WHERE outcome = 'PASSED')::int AS passed
       FROM "ConnectionCheck" WHERE trigger = 'SCHEDULED' AND "environmentId" = ANY($1::uuid[]) AND "startedAt" >= $2 GROUP BY 1 ORDER BY 1`,
      [faultIds, since],
    );
  const everyOnePassed = [...faultIds].sort().map((environmentId) => ({ environmentId, n: 1, passed: 1 }));
  try {
    // Slow answers from Microsoft keep the checks in flight while the database goes away.
    await emulator.action("setFaults", { latencyMs: 1_500 });
    const start = new Date(Date.now() - 1_000);
    await queueFaultJobs();
    await expect
      .poll(
        async () =>
          (
            await rows<{ n: number }>(
              `SELECT count(*)::int AS n FROM "ConnectionCheck" WHERE outcome = 'RUNNING' AND "environmentId" = ANY($1::uuid[])`,
              [faultIds],
            )
          )[0]!.n,
        {
          timeout: 30_000,
          intervals: [200],
        },
      )
      .toBe(faultIds.length);

    await blockDatabase(database.url);
    await new Promise((r) => setTimeout(r, 4_000));
    await unblockDatabase(database.url);
    sql = new pg.Client({ connectionString: database.url });
    sql.on("error", () => {});
    await sql.connect();

    // Every job ends with exactly one finished check, and it passed: the outage was not recorded as the customer's failure.
    await expect.poll(() => scheduledChecks(start), { timeout: 60_000, intervals: [1_000] }).toEqual(everyOnePassed);
    await expect
      .poll(
        async () =>
          rows<{ state: string; n: number }>(
            "SELECT state::text, count(*)::int AS n FROM pgboss.job WHERE name = 'recheck' AND singleton_key = ANY($1) GROUP BY 1",
            [faultIds],
          ),
        {
          timeout: 30_000,
        },
      )
      .toEqual([{ state: "completed", n: faultIds.length }]);
    // The outage did reach checks in flight: they were begun again, not abandoned.
    const resumed = await rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEvent" WHERE action = 'check.resumed' AND "createdAt" >= $1`,
      [start],
    );
    expect(resumed[0]!.n).toBeGreaterThanOrEqual(1);
    const logs = processes()
      .map((p) => p.output())
      .join("\n");
    expect(logs).toContain("the database did not answer");
    for (const p of processes()) expect(p.exitCode()).toBeNull();

    // And the queue goes on: a new round of the same environments runs once each.
    const again = new Date();
    await queueFaultJobs();
    await expect.poll(() => scheduledChecks(again), { timeout: 60_000, intervals: [1_000] }).toEqual(everyOnePassed);
    for (const p of processes()) expect(p.exitCode()).toBeNull();
  } finally {
    await emulator.action("setFaults", { latencyMs: 0 });
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
  }
});
