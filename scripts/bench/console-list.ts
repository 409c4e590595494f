// The support console's tenant list at scale: 10,000 tenants, their environments and 100,000 connection
// checks, seeded with set-based SQL into a fresh database, then the list query (lib/data/support/tenants.ts
// listTenants: the count and the page, which is all the server does for the page besides rendering) timed
// across filters, sorts and pages. Prints p50/p95 per case and overall. PGlite always; PostgreSQL too when a
// server answers (TEST_DATABASE_URL; `npm run bench` starts an embedded one when none does), in a child
// process because the data layer binds one database per process.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { applyMigrations } from "../db/migrations";
import { openSqlSession, type SqlSession } from "../db/raw-sql";
import { parseDatabaseUrl } from "../../lib/db/url";
import { testDatabaseUrl } from "../postgres/test-url";
import { withBenchDatabase } from "./bench-database";

const TENANTS = 10_000;
const CHECKS = 100_000;
const RUNS = 15;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Set-based seed: a few INSERT … SELECT over generate_series, so 100,000 checks take seconds, not minutes. */
export async function seedScale(sql: SqlSession, tenants = TENANTS, checks = CHECKS): Promise<void> {
  // Stages by tenant number: 15% signed in only, 10% consented, the rest with 1–2 environments and checks.
  await sql.exec(`
    INSERT INTO "Tenant" ("id", "displayName", "primaryDomain", "customerReference", "source", "consentState", "consentGrantedAt", "firstSignInAt", "lastSignInAt", "createdAt", "updatedAt")
    SELECT md5('tenant-' || i)::uuid,
           'Tenant ' || i,
           'tenant' || i || '.onmicrosoft.com',
           CASE WHEN i % 10 < 7 THEN 'SUB-' || lpad(i::text, 5, '0') END,
           (ARRAY['APPSOURCE','INVITATION','DIRECT'])[1 + i % 3]::"TenantSource",
           CASE WHEN i % 100 < 15 THEN 'NOT_GRANTED'::"ConsentState" ELSE 'GRANTED'::"ConsentState" END,
           CASE WHEN i % 100 < 15 THEN NULL ELSE now() - (i % 300) * interval '1 day' END,
           now() - (i % 365) * interval '1 day', now() - (i % 30) * interval '1 day', now() - (i % 365) * interval '1 day', now()
    FROM generate_series(1, ${tenants}) AS i;

    INSERT INTO "Environment" ("id", "tenantId", "url", "friendlyName", "createdAt", "updatedAt")
    SELECT md5('env-' || i || '-' || j)::uuid, md5('tenant-' || i)::uuid,
           'https://org' || i || '-' || j || '.crm' || CASE WHEN i % 20 = 0 THEN '' ELSE (1 + i % 20)::text END || '.dynamics.com',
           'Org ' || i || ' env ' || j, now() - (i % 300) * interval '1 day', now()
    FROM generate_series(1, ${tenants}) AS i, generate_series(1, 2) AS j
    WHERE i % 100 >= 25 AND (j = 1 OR i % 3 = 0);
  `);
  const [{ environments }] = (await sql.query<{ environments: number }>(
    `SELECT count(*)::int AS environments FROM "Environment"`,
  )) as [{ environments: number }];
  // Checks spread evenly over 90% of the environments (the rest never checked), over the last 60 days; 1 in 4 fails.
  await sql.exec(`
    WITH envs AS (SELECT "id", "tenantId", row_number() OVER (ORDER BY "id") - 1 AS n FROM "Environment")
    INSERT INTO "ConnectionCheck" ("id", "tenantId", "environmentId", "trigger", "startedAt", "finishedAt", "outcome", "failingStep", "durationMs", "entraRequests", "dataverseRequests")
    SELECT md5('check-' || k)::uuid, e."tenantId", e."id", 'CUSTOMER',
           now() - (k % 1440) * interval '1 hour', now() - (k % 1440) * interval '1 hour' + interval '1 second',
           CASE WHEN k % 4 = 0 THEN 'FAILED'::"CheckOutcome" WHEN k % 13 = 0 THEN 'WARNING'::"CheckOutcome" ELSE 'PASSED'::"CheckOutcome" END,
           CASE WHEN k % 4 = 0 THEN (ARRAY['token','whoami','application-user','roles','privileges','sample-read'])[1 + (k / 4) % 6] END,
           300 + k % 900, k % 2, 2
    FROM generate_series(0, ${checks - 1}) AS k JOIN envs e ON e.n = k % ${Math.floor(environments * 0.9)};

    UPDATE "Environment" e SET "latestCheckId" = c."id", "latestCheckOutcome" = c."outcome", "latestCheckAt" = c."startedAt", "latestFailingStep" = c."failingStep"
    FROM (SELECT DISTINCT ON ("environmentId") * FROM "ConnectionCheck" ORDER BY "environmentId", "startedAt" DESC) c
    WHERE c."environmentId" = e."id";

    UPDATE "Tenant" t SET "latestCheckOutcome" = w."latestCheckOutcome", "latestCheckAt" = w."latestAt", "latestFailingStep" = w."latestFailingStep"
    FROM (
      SELECT DISTINCT ON ("tenantId") "tenantId", "latestCheckOutcome", "latestFailingStep",
             max("latestCheckAt") OVER (PARTITION BY "tenantId") AS "latestAt"
      FROM "Environment" WHERE "latestCheckOutcome" IS NOT NULL
      ORDER BY "tenantId", CASE "latestCheckOutcome" WHEN 'FAILED' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'PASSED' THEN 1 ELSE 0 END DESC, "latestCheckAt" DESC
    ) w
    WHERE w."tenantId" = t."id";
    ANALYZE;
  `);
}

const CASES: Array<[string, Record<string, string>]> = [
  ["all, newest check first, page 1", {}],
  ["all, page 200", { page: "200" }],
  ["all, last page (400)", { page: "400" }],
  ["all, by name, page 57", { sort: "name", dir: "asc", page: "57" }],
  ["all, by outcome, 100 a page", { sort: "outcome", size: "100" }],
  ["stage=failing", { stage: "failing" }],
  ["stage=failing, page 40", { stage: "failing", page: "40" }],
  ["stage=environment", { stage: "environment" }],
  ["stage=signed-in, by domain", { stage: "signed-in", sort: "domain", dir: "asc" }],
  ["step=roles", { step: "roles" }],
  ["stale=7", { stale: "7" }],
  ["stale=30, failing", { stale: "30", stage: "failing" }],
  ["source=invitation, page 10", { source: "invitation", page: "10" }],
  ["search domain 'tenant123'", { q: "tenant123" }],
  ["search env URL 'org4567-1.crm8'", { q: "https://org4567-1.crm8.dynamics.com/main.aspx" }],
  ["search reference 'sub-04242'", { q: "sub-04242" }],
  ["search tenant id", { q: "" }], // filled in below with a real id
];

async function measure(kind: string, databaseUrl: string): Promise<void> {
  const started = performance.now();
  const target = parseDatabaseUrl(databaseUrl);
  await applyMigrations(target);
  const sql = await openSqlSession(target);
  try {
    await seedScale(sql);
    const [{ tenants, checks, environments, id }] = (await sql.query(
      `SELECT (SELECT count(*)::int FROM "Tenant") AS tenants, (SELECT count(*)::int FROM "ConnectionCheck") AS checks,
              (SELECT count(*)::int FROM "Environment") AS environments, md5('tenant-4242')::uuid::text AS id`,
    )) as [{ tenants: number; checks: number; environments: number; id: string }];
    CASES[CASES.length - 1]![1].q = id;
    console.log(
      `${kind}: seeded ${tenants} tenants, ${environments} environments, ${checks} checks in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await sql.close();
  }

  Object.assign(process.env, { PORTAL_MODE: "demo", DATABASE_URL: databaseUrl });
  const { listTenants } = await import("../../lib/data/support/tenants");
  const { parseTenantFilters } = await import("../../lib/data/support/tenant-filters");
  const { db } = await import("../../lib/db/client");
  const all: number[] = [];
  console.log(`${"case".padEnd(40)} | rows/total | p50 ms | p95 ms`);
  for (const [name, query] of CASES) {
    const parsed = parseTenantFilters(query);
    if (!parsed.ok) throw new Error(`bench case '${name}' is invalid: ${parsed.errors.join(" ")}`);
    const times: number[] = [];
    let summary = "";
    await listTenants(parsed.filters); // warm the plan and the adapter
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const page = await listTenants(parsed.filters);
      times.push(performance.now() - t);
      summary = page.ok ? `${page.rows.length}/${page.total}` : `out of range (${page.total})`;
    }
    all.push(...times);
    console.log(
      `${name.padEnd(40)} | ${summary.padStart(10)} | ${percentile(times, 50).toFixed(1).padStart(6)} | ${percentile(times, 95).toFixed(1).padStart(6)}`,
    );
  }
  console.log(
    `${`${kind}: all cases (${all.length} runs)`.padEnd(40)} | ${"".padStart(10)} | ${percentile(all, 50).toFixed(1).padStart(6)} | ${percentile(all, 95).toFixed(1).padStart(6)}`,
  );
  await db().$disconnect();
}

async function postgresAvailable(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function child(kind: "pglite" | "postgres"): Promise<void> {
  await withBenchDatabase(kind, "bench-console", (url) => measure(kind === "pglite" ? "PGlite" : "PostgreSQL", url));
}

function runChild(kind: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, [...process.execArgv, self, kind], { stdio: "inherit", env: process.env });
    proc.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`console-list bench (${kind}) exited with ${code}`)),
    );
  });
}

export async function run(): Promise<void> {
  console.log(
    `tenant list, ${TENANTS} tenants and ${CHECKS} checks: server time of listTenants (count + page), ${RUNS} runs a case`,
  );
  await runChild("pglite");
  const serverUrl = testDatabaseUrl();
  if (await postgresAvailable(serverUrl)) await runChild("postgres");
  else console.log(`PostgreSQL: no server answers at ${new URL(serverUrl).host}; skipped.`);
}

// Run as a child: `tsx --conditions=react-server scripts/bench/console-list.ts pglite|postgres`.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const kind = process.argv[2];
  if (kind !== "pglite" && kind !== "postgres") {
    console.error("usage: console-list.ts pglite|postgres");
    process.exit(2);
  }
  child(kind).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
