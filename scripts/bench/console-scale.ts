// The support console at a successful vendor's scale (issue 25): 100,000 tenants, 300,000 environments and
// 1,000,000 connection checks, seeded with set-based SQL (INSERT … SELECT over generate_series) into a fresh
// PostgreSQL database, then the server's data work for each console view timed, p50/p95 against a 50 ms goal:
//   - the tenant list (lib/data/support/tenants.ts listTenants: the count and the page) with each filter, the
//     search box (name, domain, tenant id, customer reference, environment URL; partial words), each sort, and
//     pages past 1,000;
//   - the tenant page's queries (tenant, check history, audit trail) for a tenant with 10,000 checks;
//   - the console's front page (lib/data/support/overview.ts);
//   - the CSV export of every tenant (exportTenants streamed into CSV lines the way the route handler streams
//     them, read as a client would): its time and this process's peak RSS, beside the RSS of a 10x smaller
//     export, which a constant-memory export matches.
// PostgreSQL only (TEST_DATABASE_URL; `npm run bench` starts an embedded server when none answers), in a child
// process because the data layer binds one database per process. BENCH_CONSOLE_TENANTS scales the seed down;
// BENCH_KEEP_DATABASE=1 keeps the seeded database, and BENCH_CONSOLE_DATABASE=<its name> measures it again
// without seeding (after a change of queries; apply new migrations to it first).
//
// Beside the wall times, the CPU time each run costs: this process (the portal's data layer) plus the database
// server's backends serving it (read from /proc, so only for a server on this machine). On a loaded machine the
// wall times grow with the load; the CPU time is what an idle one would see as wall time, nearly.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "../db/migrations";
import { openSqlSession, type SqlSession } from "../db/raw-sql";
import { parseDatabaseUrl } from "../../lib/db/url";
import { testDatabaseUrl } from "../postgres/test-url";
import { benchDatabase } from "./bench-database";
import { cpuBetween, processCpuMs } from "./process-cpu";

const TENANTS = Number(process.env.BENCH_CONSOLE_TENANTS ?? 100_000);
// 75% of the tenants have environments, 1 to 7 each (4 on average): 3 per tenant overall.
const CHECKS = TENANTS * 10;
/** The tenant whose page is measured: 5 environments, 10,000 checks of history. */
const BIG = 4246;
const BIG_CHECKS = 10_000;
const RUNS = 20;
const GOAL_MS = 50;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const COMPANIES = [
  "Contoso",
  "Fabrikam",
  "Northwind",
  "Adventure Works",
  "Litware",
  "Tailspin",
  "Woodgrove",
  "Proseware",
  "Wingtip",
  "Alpine",
  "Coho",
  "Lucerne",
  "Trey",
  "Wide World",
  "Blue Yonder",
  "Graphic Design",
  "Humongous",
  "Fourth Coffee",
  "Relecloud",
  "Southridge",
  "VanArsdel",
  "Lamna",
  "Munson",
  "Bellows",
  "Datum",
  "Consolidated",
  "Nod",
  "Tailwind",
  "First Up",
  "Liberty",
];
const TRADES = [
  "Pharma",
  "Logistics",
  "Bank",
  "Insurance",
  "Foods",
  "Motors",
  "Energy",
  "Health",
  "Retail",
  "Media",
  "Travel",
  "Airlines",
  "Labs",
  "Software",
  "Consulting",
  "Textiles",
  "Mining",
  "Telecom",
  "Realty",
  "Marine",
];
const FORMS = ["Ltd", "GmbH", "Inc.", "S.A.", "B.V.", "AG", "LLC", "Oy"];
const sqlArray = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",")}]`;

/**
 * Set-based seed. Tenant i: 15% signed in only (1 in 15 of them disconnected), 10% consented without an
 * environment, 75% with 1 + i % 7 environments. Checks spread over 90% of the environments across 60 days, 1 in 4
 * failing; tenant BIG has 10,000 checks (hourly, mostly scheduled) with their steps and audit events. Foreign-key
 * triggers are off while it loads (session_replication_role = replica: the rows are consistent by construction),
 * and the check table's secondary indexes are built after its rows, as a bulk load does.
 */
export async function seedConsoleScale(sql: SqlSession, tenants = TENANTS, checks = CHECKS): Promise<void> {
  const names = `${sqlArray(COMPANIES)}, ${sqlArray(TRADES)}, ${sqlArray(FORMS)}`;
  await sql.exec(`
    SET session_replication_role = replica;
    SET synchronous_commit = off;
    SET maintenance_work_mem = '256MB';
    CREATE FUNCTION pg_temp.company(i int, companies text[], trades text[], forms text[]) RETURNS text IMMUTABLE LANGUAGE sql AS
      $$ SELECT companies[1 + i % 30] || ' ' || trades[1 + (i / 30) % 20] || ' ' || forms[1 + (i / 600) % 8] $$;

    INSERT INTO "Tenant" ("id", "displayName", "primaryDomain", "customerReference", "source", "sourceTag", "consentState", "consentGrantedAt",
                          "firstSignInAt", "lastSignInAt", "disconnectedAt", "disconnectedByName", "createdAt", "updatedAt")
    SELECT md5('tenant-' || i)::uuid,
           pg_temp.company(i, ${names}),
           lower(replace(pg_temp.company(i, ${names}), ' ', '')) || i || CASE WHEN i % 2 = 0 THEN '.onmicrosoft.com' ELSE '.com' END,
           CASE WHEN i % 10 < 7 THEN 'SUB-' || lpad(i::text, 6, '0') END,
           (ARRAY['APPSOURCE','INVITATION','DIRECT'])[1 + i % 3]::"TenantSource",
           CASE WHEN i % 3 = 0 THEN 'campaign-' || i % 12 END,
           CASE WHEN i % 100 < 15 THEN 'NOT_GRANTED'::"ConsentState" ELSE 'GRANTED'::"ConsentState" END,
           CASE WHEN i % 100 < 15 THEN NULL ELSE now() - (i % 300) * interval '1 day' END,
           now() - (i % 700) * interval '1 day', now() - (i % 30) * interval '1 day',
           CASE WHEN i % 100 = 14 THEN now() - (i % 90) * interval '1 day' END,
           CASE WHEN i % 100 = 14 THEN 'Former admin' END,
           now() - (i % 700) * interval '1 day' - (i % 86400) * interval '1 second', now()
    FROM generate_series(1, ${tenants}) AS i;

    INSERT INTO "Environment" ("id", "tenantId", "url", "friendlyName", "createdAt", "updatedAt")
    SELECT md5('env-' || i || '-' || j)::uuid, md5('tenant-' || i)::uuid,
           'https://org' || i || '-' || j || '.crm' || CASE WHEN i % 20 = 0 THEN '' ELSE (1 + i % 20)::text END || '.dynamics.com',
           'Org ' || i || ' env ' || j, now() - (i % 300) * interval '1 day' + j * interval '1 minute', now()
    FROM generate_series(1, ${tenants}) AS i, generate_series(1, 7) AS j
    WHERE i % 100 >= 25 AND j <= 1 + i % 7;
  `);
  const checkIndexes = await sql.query<{ indexdef: string; indexname: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ConnectionCheck' AND indexname NOT LIKE '%_pkey'`,
  );
  for (const index of checkIndexes) await sql.exec(`DROP INDEX "${index.indexname}"`);
  const [{ environments }] = (await sql.query<{ environments: number }>(
    `SELECT count(*)::int AS environments FROM "Environment"`,
  )) as [{ environments: number }];
  const big = `md5('tenant-${BIG}')::uuid`;
  const others = checks - BIG_CHECKS;
  await sql.exec(`
    SET session_replication_role = replica;
    SET synchronous_commit = off;
    SET maintenance_work_mem = '256MB';
    SET work_mem = '64MB';
    -- The tenant with a long history: its environments checked hourly, 1 check in 25 run by a person.
    INSERT INTO "ConnectionCheck" ("id", "tenantId", "environmentId", "trigger", "triggeredByName", "startedAt", "finishedAt", "outcome", "failingStep", "durationMs", "entraRequests", "dataverseRequests")
    SELECT md5('big-check-' || k)::uuid, ${big}, md5('env-${BIG}-' || (1 + k % 5))::uuid,
           CASE WHEN k % 25 = 0 THEN 'CUSTOMER'::"CheckTrigger" WHEN k % 25 = 1 THEN 'STAFF'::"CheckTrigger" ELSE 'SCHEDULED'::"CheckTrigger" END,
           CASE WHEN k % 25 = 0 THEN 'Customer admin' WHEN k % 25 = 1 THEN 'Support engineer' END,
           now() - (k / 5) * interval '1 hour' - (k % 5) * interval '1 minute', now() - (k / 5) * interval '1 hour' - (k % 5) * interval '1 minute' + interval '900 milliseconds',
           CASE WHEN k % 9 = 0 THEN 'FAILED'::"CheckOutcome" ELSE 'PASSED'::"CheckOutcome" END,
           CASE WHEN k % 9 = 0 THEN 'roles' END, 900, CASE WHEN k % 5 = 0 THEN 1 ELSE 0 END, 1
    FROM generate_series(0, ${BIG_CHECKS - 1}) AS k;

    INSERT INTO "CheckStep" ("id", "tenantId", "checkId", "ordinal", "name", "outcome", "startedAt", "durationMs", "diagnosis", "vendorDetail", "result")
    SELECT md5('big-step-' || k || '-' || s)::uuid, ${big}, md5('big-check-' || k)::uuid, s, (ARRAY['token','whoami','application-user','roles','least-privilege','privileges','sample-read'])[s + 1],
           CASE WHEN k % 9 = 0 AND s = 3 THEN 'FAILED'::"StepOutcome" WHEN k % 9 = 0 AND s > 3 THEN 'SKIPPED'::"StepOutcome" ELSE 'PASSED'::"StepOutcome" END,
           now() - (k / 5) * interval '1 hour', 100 + s,
           CASE WHEN k % 9 = 0 AND s = 3 THEN 'missing-role' END,
           jsonb_build_object('requestId', md5('req-' || k || '-' || s)), CASE WHEN s = 6 THEN jsonb_build_object('accounts', jsonb_build_array('A. Datum', 'Contoso')) END
    FROM generate_series(0, ${BIG_CHECKS - 1}) AS k, generate_series(0, 6) AS s;

    INSERT INTO "AuditEvent" ("id", "tenantId", "actorKind", "actorName", "action", "targetType", "targetId", "createdAt")
    SELECT md5('big-audit-' || k || '-' || e)::uuid, ${big},
           CASE WHEN k % 25 = 0 THEN 'CUSTOMER'::"ActorKind" WHEN k % 25 = 1 THEN 'STAFF'::"ActorKind" ELSE 'SYSTEM'::"ActorKind" END,
           CASE WHEN k % 25 = 0 THEN 'Customer admin' WHEN k % 25 = 1 THEN 'Support engineer' END,
           (ARRAY['check.started', 'check.finished'])[e], 'check', md5('big-check-' || k)::uuid::text,
           now() - (k / 5) * interval '1 hour' + e * interval '1 second'
    FROM generate_series(0, ${BIG_CHECKS - 1}) AS k, generate_series(1, 2) AS e;

    -- Everyone else's sign-in in the audit trail.
    INSERT INTO "AuditEvent" ("id", "tenantId", "actorKind", "actorName", "action", "createdAt")
    SELECT md5('audit-' || i)::uuid, md5('tenant-' || i)::uuid, 'CUSTOMER', 'Admin ' || i, 'tenant.signed_in', now() - (i % 700) * interval '1 day'
    FROM generate_series(1, ${tenants}) AS i;

    -- The other checks spread evenly over 90% of the other environments (the rest never checked), over the last 60 days; 1 in 4 fails.
    WITH envs AS (SELECT "id", "tenantId", row_number() OVER (ORDER BY "id") - 1 AS n FROM "Environment" WHERE "tenantId" <> ${big})
    INSERT INTO "ConnectionCheck" ("id", "tenantId", "environmentId", "trigger", "startedAt", "finishedAt", "outcome", "failingStep", "durationMs", "entraRequests", "dataverseRequests")
    SELECT md5('check-' || k)::uuid, e."tenantId", e."id", CASE WHEN k % 7 = 0 THEN 'CUSTOMER'::"CheckTrigger" ELSE 'SCHEDULED'::"CheckTrigger" END,
           now() - (k % 1440) * interval '1 hour', now() - (k % 1440) * interval '1 hour' + interval '1 second',
           CASE WHEN k % 4 = 0 THEN 'FAILED'::"CheckOutcome" WHEN k % 13 = 0 THEN 'WARNING'::"CheckOutcome" ELSE 'PASSED'::"CheckOutcome" END,
           CASE WHEN k % 4 = 0 THEN (ARRAY['token','whoami','application-user','roles','privileges','sample-read'])[1 + (k / 4) % 6] END,
           300 + k % 900, k % 2, 2
    FROM generate_series(0, ${others - 1}) AS k JOIN envs e ON e.n = k % ${Math.floor((environments - 5) * 0.9)};
  `);
  for (const index of checkIndexes) await sql.exec(`SET maintenance_work_mem = '256MB'; ${index.indexdef}`);
  await sql.exec(`
    SET session_replication_role = replica;
    SET work_mem = '64MB';
    UPDATE "Environment" e SET "latestCheckId" = c."id", "latestCheckOutcome" = c."outcome", "latestCheckAt" = c."startedAt", "latestFailingStep" = c."failingStep",
           "health" = CASE WHEN c."outcome" = 'FAILED' AND hashtext(e."id"::text) % 3 = 0 THEN 'BROKEN'::"HealthState" ELSE 'HEALTHY'::"HealthState" END,
           "brokenSince" = CASE WHEN c."outcome" = 'FAILED' AND hashtext(e."id"::text) % 3 = 0 THEN c."startedAt" END,
           "lastVerifiedAt" = CASE WHEN c."outcome" <> 'FAILED' THEN c."startedAt" END
    FROM (SELECT DISTINCT ON ("environmentId") "id", "environmentId", "outcome", "startedAt", "failingStep" FROM "ConnectionCheck" ORDER BY "environmentId", "startedAt" DESC) c
    WHERE c."environmentId" = e."id";

    -- The triggers that keep them are off while the seed loads (session_replication_role).
    UPDATE "Tenant" t SET "environmentCount" = c."n", "oldestCheckAt" = c."oldest"
    FROM (SELECT "tenantId", count(*)::int AS "n", CASE WHEN bool_and("latestCheckAt" IS NOT NULL) THEN min("latestCheckAt") END AS "oldest"
          FROM "Environment" GROUP BY "tenantId") c WHERE c."tenantId" = t."id";

    UPDATE "Tenant" t SET "latestCheckOutcome" = w."latestCheckOutcome", "latestCheckAt" = w."latestAt", "latestFailingStep" = w."latestFailingStep",
           "health" = w."health", "brokenSince" = w."brokenSince"
    FROM (
      SELECT DISTINCT ON ("tenantId") "tenantId", "latestCheckOutcome", "latestFailingStep",
             max("latestCheckAt") OVER (PARTITION BY "tenantId") AS "latestAt",
             CASE WHEN bool_or("health" = 'BROKEN') OVER (PARTITION BY "tenantId") THEN 'BROKEN'::"HealthState" ELSE 'HEALTHY'::"HealthState" END AS "health",
             min("brokenSince") OVER (PARTITION BY "tenantId") AS "brokenSince"
      FROM "Environment" WHERE "latestCheckOutcome" IS NOT NULL
      ORDER BY "tenantId", CASE "latestCheckOutcome" WHEN 'FAILED' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'PASSED' THEN 1 ELSE 0 END DESC, "latestCheckAt" DESC
    ) w
    WHERE w."tenantId" = t."id";
  `);
  // As autovacuum would have by now: statistics for the planner, the visibility map for index-only scans.
  await sql.exec(`VACUUM ANALYZE`);
}

type Case = { name: string; time: () => Promise<string> };

async function timeCases(title: string, cases: Case[], backends: () => Promise<number[]>): Promise<number> {
  // Warm every case first, a few times: V8 compiles the hot paths (on threads whose CPU time counts) and the
  // pool opens its connections, which would otherwise be charged to the first case.
  for (let round = 0; round < 3; round++) for (const c of cases) await c.time();
  console.log(`\n${title}`);
  console.log(
    `${"case".padEnd(46)} | ${"rows/total".padStart(13)} | p50 ms | p95 ms | goal p95 < ${GOAL_MS} ms | CPU ms a run (portal + database)`,
  );
  let missed = 0;
  for (const c of cases) {
    await c.time(); // warm the plan and the adapter (and open the pool's connections)
    const pids = await backends();
    const dbBefore = processCpuMs(pids);
    const before = process.cpuUsage();
    const times: number[] = [];
    let summary = "";
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      summary = await c.time();
      times.push(performance.now() - t);
    }
    const portal = process.cpuUsage(before);
    const dbAfter = processCpuMs(pids);
    const portalMs = (portal.user + portal.system) / 1000 / RUNS;
    const dbMs = dbAfter.size === 0 ? null : cpuBetween(dbBefore, dbAfter) / RUNS;
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    const cpu = `${portalMs.toFixed(1)} + ${dbMs === null ? "n/a" : dbMs.toFixed(1)}`;
    console.log(
      `${c.name.padEnd(46)} | ${summary.padStart(13)} | ${p50.toFixed(1).padStart(6)} | ${p95.toFixed(1).padStart(6)} | ${(p95 < GOAL_MS ? "met" : "MISSED").padEnd(19)} | ${cpu}`,
    );
    if (p95 >= GOAL_MS) missed++;
  }
  return missed;
}

const LIST_CASES: Array<[string, Record<string, string>]> = [
  ["all, newest check first, page 1", {}],
  ["all, page 1,000", { page: "1000" }],
  ["all, page 2,500", { page: "2500" }],
  ["all, last page (4,000)", { page: "4000" }],
  ["all, oldest check first, page 1,200", { dir: "asc", page: "1200" }],
  ["by name A-Z, page 1", { sort: "name", dir: "asc" }],
  ["by name Z-A, page 1,500", { sort: "name", page: "1500" }],
  ["by domain A-Z, page 3,000", { sort: "domain", dir: "asc", page: "3000" }],
  ["by first sign-in, newest, page 1,000", { sort: "created", page: "1000" }],
  ["by outcome, worst first, page 1", { sort: "outcome" }],
  ["by outcome, 100 a page, page 900", { sort: "outcome", size: "100", page: "900" }],
  ["stage=signed-in", { stage: "signed-in" }],
  ["stage=consented", { stage: "consented" }],
  ["stage=environment", { stage: "environment" }],
  ["stage=verified, page 1,000", { stage: "verified", page: "1000" }],
  ["stage=failing", { stage: "failing" }],
  ["stage=failing, by name, page 300", { stage: "failing", sort: "name", dir: "asc", page: "300" }],
  ["stage=disconnected", { stage: "disconnected" }],
  ["step=roles", { step: "roles" }],
  ["health=broken", { health: "broken" }],
  ["source=invitation", { source: "invitation" }],
  ["stale=7", { stale: "7" }],
  ["stale=30, failing", { stale: "30", stage: "failing" }],
  ["search name 'northwind phar'", { q: "northwind phar" }],
  ["search name word 'pharma', by name", { q: "pharma", sort: "name", dir: "asc" }],
  ["search domain part 'logisticsoy424'", { q: "logisticsoy424" }],
  ["search reference 'sub-04242'", { q: "sub-04242" }],
  ["search tenant id", { q: "<id>" }],
  ["search env URL (pasted)", { q: "https://org45677-3.crm18.dynamics.com/main.aspx?appid=1" }],
  ["search env host part 'org4567-1.crm8'", { q: "org4567-1.crm8" }],
  ["search 'contoso', stage=failing", { q: "contoso", stage: "failing" }],
  ["search, no match 'zzzz-nothing'", { q: "zzzz-nothing" }],
];

async function measure(databaseUrl: string, seed: boolean): Promise<void> {
  const started = performance.now();
  const target = parseDatabaseUrl(databaseUrl);
  const sql = await openSqlSession(target);
  let bigId: string;
  try {
    if (seed) {
      await applyMigrations(target);
      await seedConsoleScale(sql);
    }
    const [counts] = (await sql.query(
      `SELECT (SELECT count(*)::int FROM "Tenant") AS tenants, (SELECT count(*)::int FROM "Environment") AS environments,
              (SELECT count(*)::int FROM "ConnectionCheck") AS checks, md5('tenant-${BIG}')::uuid::text AS big,
              (SELECT count(*)::int FROM "ConnectionCheck" WHERE "tenantId" = md5('tenant-${BIG}')::uuid) AS "bigChecks"`,
    )) as [{ tenants: number; environments: number; checks: number; big: string; bigChecks: number }];
    bigId = counts.big;
    console.log(
      `PostgreSQL: ${seed ? "seeded" : "measuring a seeded database of"} ${counts.tenants} tenants, ${counts.environments} environments, ${counts.checks} checks (${counts.bigChecks} of them one tenant's) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await sql.close();
  }

  Object.assign(process.env, { PORTAL_MODE: "demo", DATABASE_URL: databaseUrl });
  const { listTenants, getSupportTenant, supportCheckHistory, supportAuditTrail } =
    await import("../../lib/data/support/tenants");
  const { parseTenantFilters } = await import("../../lib/data/support/tenant-filters");
  const { onboardingFunnel, failuresByStep } = await import("../../lib/data/support/overview");
  const { db } = await import("../../lib/db/client");
  const backends = async () =>
    (
      await db().$queryRaw<
        Array<{ pid: number }>
      >`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`
    ).map((r) => r.pid);
  const filtersOf = (query: Record<string, string>) => {
    const parsed = parseTenantFilters(query);
    if (!parsed.ok) throw new Error(`bench case is invalid: ${parsed.errors.join(" ")}`);
    return parsed.filters;
  };

  let missed = await timeCases(
    `tenant list (listTenants: count + page), ${RUNS} runs a case`,
    LIST_CASES.map(([name, query]) => ({
      name,
      time: async () => {
        const page = await listTenants(filtersOf(query.q === "<id>" ? { ...query, q: bigId } : query));
        return page.ok ? `${page.rows.length}/${page.total}` : `out of range (${page.total})`;
      },
    })),
    backends,
  );

  missed += await timeCases(
    `tenant page of a tenant with ${BIG_CHECKS} checks (its queries: tenant, history, audit trail), ${RUNS} runs a case`,
    [
      ...(["people", "automatic", "all"] as const).map((view) => ({
        name: `tenant page, audit view '${view}'`,
        time: async () => {
          const tenant = await getSupportTenant(bigId);
          const [checks, trail] = await Promise.all([
            supportCheckHistory(tenant!.id),
            supportAuditTrail(tenant!.id, view),
          ]);
          return `${checks.length}+${trail.events.length}/${trail.counts.all}`;
        },
      })),
      {
        name: "console front page (funnel, failures by step)",
        time: async () => {
          const [funnel, steps] = await Promise.all([
            onboardingFunnel(),
            failuresByStep(new Date(Date.now() - 7 * 86_400_000)),
          ]);
          return `${funnel.total}/${steps.reduce((n, s) => n + s.checks, 0)}`;
        },
      },
    ],
    backends,
  );

  await db().$disconnect();
  missed += await measureExports(databaseUrl);
  console.log(`\n${missed === 0 ? "every goal met" : `${missed} goal(s) missed`}`);
}

/** The export's processes run with this much JavaScript heap at most: an export that held its rows would not fit. */
const EXPORT_HEAP_MB = 128;

const EXPORTS: Array<[string, Record<string, string>]> = [
  ["stage=signed-in", { stage: "signed-in" }],
  ["source=invitation", { source: "invitation" }],
  ["every tenant", {}],
];

/**
 * The CSV export, each in a fresh process of its own so that one's garbage does not count against the next: the
 * route handler's stream (app/(support)/console/tenants.csv/route.ts: a ReadableStream that pulls one batch of
 * exportTenants per read and writes it as CSV lines), read to the end as a client would. Constant memory: the peak
 * RSS does not grow with the rows, and the whole export fits in a heap far smaller than its rows would need.
 */
async function measureExports(databaseUrl: string): Promise<number> {
  const MB = 1024 * 1024;
  console.log(
    `\nCSV export (exportTenants → CSV lines, streamed and read to the end), each in a fresh process with at most ${EXPORT_HEAP_MB} MB of JavaScript heap; goal: constant memory`,
  );
  const results: Array<{ name: string; rows: number; bytes: number; ms: number; startRss: number; peakRss: number }> =
    [];
  for (const [name, query] of EXPORTS) {
    const line = await new Promise<string>((resolve, reject) => {
      const self = fileURLToPath(import.meta.url);
      const proc = spawn(
        process.execPath,
        [...process.execArgv, `--max-old-space-size=${EXPORT_HEAP_MB}`, self, "export", JSON.stringify(query)],
        { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DATABASE_URL: databaseUrl } },
      );
      let out = "";
      proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
      proc.on("exit", (code) =>
        code === 0 ? resolve(out.trim().split("\n").at(-1)!) : reject(new Error(`export child exited with ${code}`)),
      );
    });
    const r = {
      name,
      ...(JSON.parse(line) as { rows: number; bytes: number; ms: number; startRss: number; peakRss: number }),
    };
    results.push(r);
    console.log(
      `export ${name.padEnd(18)} ${String(r.rows).padStart(7)} rows, ${(r.bytes / MB).toFixed(1).padStart(5)} MB of CSV in ${(r.ms / 1000).toFixed(1).padStart(5)} s (${((r.ms * 1000) / Math.max(1, r.rows)).toFixed(0)} µs a row); RSS ${(r.startRss / MB).toFixed(0)} MB before, peak ${(r.peakRss / MB).toFixed(0)} MB`,
    );
  }
  const smallest = results[0]!;
  const full = results.at(-1)!;
  const growth = full.peakRss - smallest.peakRss;
  const constant = growth < 32 * MB;
  console.log(
    `peak RSS of the ${full.rows}-row export minus the ${smallest.rows}-row one: ${(growth / MB).toFixed(0)} MB (${full.rows >= TENANTS ? "every tenant exported" : `NOT every tenant: ${full.rows} of ${TENANTS}`}; goal constant memory, under 32 MB of growth: ${constant ? "met" : "MISSED"})`,
  );
  return full.rows >= TENANTS && constant ? 0 : 1;
}

/** One export in this process (a child of measureExports); prints its figures as JSON. */
async function exportChild(query: Record<string, string>): Promise<void> {
  Object.assign(process.env, { PORTAL_MODE: "demo" });
  const { exportTenants } = await import("../../lib/data/support/tenants");
  const { parseTenantFilters } = await import("../../lib/data/support/tenant-filters");
  const { csvLine } = await import("../../lib/data/support/csv");
  const { db } = await import("../../lib/db/client");
  const parsed = parseTenantFilters(query);
  if (!parsed.ok) throw new Error(parsed.errors.join(" "));
  await db().$queryRaw`SELECT 1`;
  const startRss = process.memoryUsage.rss();
  const encoder = new TextEncoder();
  const batches = exportTenants(parsed.filters);
  let rows = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        encoder.encode(
          `\uFEFF${csvLine(["tenant_id", "name", "primary_domain", "customer_reference", "source", "source_tag", "consent_state", "consent_granted_at", "environments", "environment_urls", "latest_check_outcome", "latest_check_at", "failing_step", "health", "broken_since", "first_sign_in_at", "last_sign_in_at", "disconnected_at"])}`,
        ),
      );
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) return controller.close();
      rows += next.value.length;
      let chunk = "";
      for (const t of next.value) {
        chunk += csvLine([
          t.id,
          t.displayName,
          t.primaryDomain,
          t.customerReference,
          t.source,
          t.sourceTag,
          t.consentState,
          t.consentGrantedAt,
          t.environments.length,
          t.environments.map((e) => e.url).join(" "),
          t.latestCheckOutcome,
          t.latestCheckAt,
          t.latestFailingStep,
          t.health,
          t.brokenSince,
          t.firstSignInAt,
          t.lastSignInAt,
          t.disconnectedAt,
        ]);
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
  const t = performance.now();
  let bytes = 0;
  const reader = body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
  const ms = performance.now() - t;
  // The kernel's own high-water mark of this process's resident memory (KiB).
  const peakRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ rows, bytes, ms, startRss, peakRss }));
  await db().$disconnect();
}

async function child(): Promise<void> {
  const kept = process.env.BENCH_CONSOLE_DATABASE;
  if (kept) {
    if (!/^\w+$/.test(kept)) throw new Error("BENCH_CONSOLE_DATABASE is a database name");
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${kept}`;
    return measure(url.toString(), false);
  }
  const database = await benchDatabase("postgres", "bench-console-scale");
  try {
    await measure(database.url, true);
  } finally {
    if (!process.env.BENCH_KEEP_DATABASE) await database.drop();
    else console.log(`kept database ${database.name}`);
  }
}

export async function run(): Promise<void> {
  console.log(
    `console at scale: ${TENANTS} tenants, ~${TENANTS * 3} environments, ${CHECKS} checks on PostgreSQL; server time of each view's queries`,
  );
  await new Promise<void>((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, [...process.execArgv, self, "child"], { stdio: "inherit", env: process.env });
    proc.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`console-scale bench exited with ${code}`))));
  });
}

// Run as a child: `tsx --conditions=react-server scripts/bench/console-scale.ts child|export <query>`.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  (process.argv[2] === "export"
    ? exportChild(JSON.parse(process.argv[3] ?? "{}") as Record<string, string>)
    : child()
  ).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
