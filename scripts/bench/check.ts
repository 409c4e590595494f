// Connection-check latency of a person-run check (trigger CUSTOMER, as from the environment page) against the
// emulator with an injected per-request latency L: cold (no token cached: one token request first) and warm (token
// cached), as a ratio to L; the requests each check sends to Entra ID and to Dataverse, including the consent proof
// (a fresh token of the app for itself, sent beside the first Dataverse round trip: lib/checks/run.ts); the
// sequential round trips read from the emulator's request log (requests sent side by side count once); and the local
// overhead (check time − sequential round trips × L: the portal's own work and database writes). Aim (issue 25):
// warm = ONE sequential round trip (its $batch, with the consent proof in parallel), ≤ 1.15×L at L = 100 ms and
// ≤ 1.6×L at L = 25 ms; cold = warm + 1 (the Dataverse token, with the consent proof beside it).
// Measured on PGlite and on PostgreSQL (TEST_DATABASE_URL; a fresh database on that server), each in a child process
// because the data layer binds one database per process; the emulator runs in a process of its own
// (scripts/bench/emulator-process.ts), as Microsoft's side does not share the portal's event loop in production. Its
// own processing beyond L is printed apart: it is part of each round trip the portal waits for. For the warm checks, where their local time goes: the
// check's timeline (scripts/bench/check-timeline.ts: each SQL statement through a timing wrapper around the driver
// adapter, each HTTP request through undici's diagnostics channels), split into the check's start, the time before
// the $batch is sent (prerequisites, token cache), the $batch, the time between its answer and the finish
// (JSON, steps, diagnosis, consent proof), the finish (one statement, or a transaction) statement by statement, and
// what follows it.
// Then (PGlite) the same cold check with the managed identity as the app's credential (no secret): the first one also
// asks the managed identity endpoint for the assertion, the next ones reuse it (at most one managed identity request
// per assertion lifetime). BENCH_CHECK_WARM_RUNS sets the warm checks per latency (default 15).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_IDS, type RequestLogEntry } from "@tenant-onboarding/emulator";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { testDatabaseUrl } from "../postgres/test-url";
import { sequentialRoundTrips } from "./round-trips";
import { resetTimeline, timedAdapterFactory, timeline, watchHttp, type TimelineEvent } from "./check-timeline";
import { withBenchDatabase } from "./bench-database";
import { startEmulatorProcess } from "./emulator-process";

type Emulator = Awaited<ReturnType<typeof startEmulatorProcess>>;

const LATENCIES_MS = [25, 100];
/** The issue's goal for the warm check, as a multiple of L. */
const WARM_GOAL: Record<number, number> = { 25: 1.6, 100: 1.15 };
const WARM_RUNS = Number(process.env.BENCH_CHECK_WARM_RUNS ?? 15);

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);
const ms = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(1));

type Database = "pglite" | "postgres";

export async function run(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  for (const database of ["pglite", "postgres"] as const) {
    console.log(
      `\n-- ${database === "pglite" ? "PGlite (embedded, in-process)" : `PostgreSQL (${new URL(testDatabaseUrl()).host})`}`,
    );
    await new Promise<void>((resolve, reject) => {
      const proc = spawn(process.execPath, [...process.execArgv, self, "child", database], {
        stdio: "inherit",
        env: process.env,
      });
      proc.on("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`check bench (${database}) exited with ${code}`)),
      );
    });
  }
}

async function child(database: Database): Promise<void> {
  await withBenchDatabase(database, "bench-check", (url) => measure(database, url));
}

/** One warm check's local time, split along its timeline (ms). */
type Breakdown = {
  beforeStart: number;
  start: number;
  toBatch: number;
  batch: number;
  toFinish: number;
  finish: number;
  finishSql: number;
  afterFinish: number;
  prerequisitesSql: number;
  statements: Array<{ phase: string; label: string; ms: number }>;
};

function breakdown(events: TimelineEvent[], t0: number, t1: number): Breakdown | null {
  const txs = new Map<
    number,
    { begin?: TimelineEvent; end?: TimelineEvent; sql: Array<Extract<TimelineEvent, { kind: "sql" }>> }
  >();
  const standalone: Array<Extract<TimelineEvent, { kind: "sql" }>> = [];
  for (const e of events) {
    if (e.kind === "http") continue;
    if (e.kind === "sql" && e.tx === null) {
      standalone.push(e);
      continue;
    }
    const tx = txs.get(e.tx!) ?? { sql: [] };
    txs.set(e.tx!, tx);
    if (e.kind === "begin") tx.begin = e;
    else if (e.kind === "sql") tx.sql.push(e);
    else tx.end = e;
  }
  const ids = [...txs.keys()].sort((a, b) => a - b);
  // The check's start: its first transaction, or the one statement that inserts the check.
  const startStatement = standalone.find((s) => s.label.endsWith("ConnectionCheck"));
  if (startStatement) standalone.splice(standalone.indexOf(startStatement), 1);
  const batch = events.find((e) => e.kind === "http" && e.url.includes("$batch"));
  // The check's finish: its last transaction, or the one statement after the $batch's answer that ends it as it
  // started (lib/data/checks.ts endCheckAsStarted).
  const startTx = !startStatement && ids.length > 1 ? txs.get(ids[0]!) : undefined;
  const lastTx = ids.length > (startTx ? 1 : 0) ? txs.get(ids.at(-1)!) : undefined;
  const endStatement = batch ? standalone.filter((s) => s.start >= batch.end).at(-1) : undefined;
  const finishTx =
    lastTx?.begin && lastTx.end && (!endStatement || lastTx.begin.start > endStatement.start)
      ? lastTx
      : endStatement
        ? { begin: undefined, end: undefined, sql: [endStatement] }
        : undefined;
  if (finishTx?.sql[0] === endStatement && endStatement) standalone.splice(standalone.indexOf(endStatement), 1);
  const startBegin = startTx?.begin?.start ?? startStatement?.start;
  const startEnd = startTx?.end?.end ?? startStatement?.end;
  if (!batch || startBegin === undefined || startEnd === undefined || !finishTx) return null;
  const finishStart = finishTx.begin?.start ?? finishTx.sql[0]!.start;
  const finishEnd = finishTx.end?.end ?? finishTx.sql.at(-1)!.end;
  const statements: Breakdown["statements"] = [];
  const sum = (xs: Array<{ start: number; end: number } | undefined>) =>
    xs.reduce((s, e) => s + (e ? e.end - e.start : 0), 0);
  const txStatements = (phase: string, tx: NonNullable<typeof finishTx>) => {
    if (tx.begin) statements.push({ phase, label: "BEGIN", ms: tx.begin.end - tx.begin.start });
    for (const s of tx.sql) statements.push({ phase, label: s.label, ms: s.end - s.start });
    if (tx.end) statements.push({ phase, label: tx.end.kind.toUpperCase(), ms: tx.end.end - tx.end.start });
  };
  if (startTx) txStatements("start", startTx);
  if (startStatement)
    statements.push({ phase: "start", label: startStatement.label, ms: startStatement.end - startStatement.start });
  for (const s of standalone)
    statements.push({
      phase: s.start < batch.start ? "prerequisites" : "after the round trip",
      label: s.label,
      ms: s.end - s.start,
    });
  for (const id of ids.slice(startTx ? 1 : 0, finishTx === lastTx ? -1 : undefined))
    txStatements("steps", txs.get(id)!);
  txStatements(finishTx === lastTx ? "finish (transaction)" : "finish (one statement)", finishTx);
  return {
    beforeStart: startBegin - t0,
    start: startEnd - startBegin,
    toBatch: batch.start - startEnd,
    batch: batch.end - batch.start,
    toFinish: finishStart - batch.end,
    finish: finishEnd - finishStart,
    finishSql: sum([finishTx.begin, ...finishTx.sql, finishTx.end]),
    afterFinish: t1 - finishEnd,
    prerequisitesSql: sum(standalone.filter((s) => s.start < batch.start)),
    statements,
  };
}

async function measure(database: Database, databaseUrl: string): Promise<void> {
  watchHttp();
  // Microsoft's side in a process of its own, as in production: its work is not on the portal's event loop.
  const emulator = await startEmulatorProcess({
    environments: "demo",
    latencyMs: 0,
    throttle: { environments: [], retryAfterSeconds: 0 },
  });
  const { info } = emulator;
  try {
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    Object.assign(process.env, {
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      ENTRA_AUTHORITY_HOST: info.authorityHost,
      ENTRA_CLIENT_ID: info.clientId,
      ENTRA_CLIENT_SECRET: info.clientSecret,
      ENTRA_HOME_TENANT_ID: info.homeTenantId,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: info.hostSuffixes.join(","),
    });
    // The portal's Prisma client, with every statement timed (lib/db/client.ts keeps it on globalThis).
    const { PrismaClient } = await import("../../lib/generated/prisma/client");
    const { createAdapterFactory } = await import("../../lib/db/adapter");
    const { config } = await import("../../lib/config");
    (globalThis as unknown as { portalPrisma?: unknown }).portalPrisma = new PrismaClient({
      adapter: timedAdapterFactory(createAdapterFactory(config().database)),
    });
    const { db } = await import("../../lib/db/client");
    const { customerScope } = await import("../../lib/data/scope");
    const { runCheck } = await import("../../lib/checks/launch");
    const { forgetTenantClient } = await import("../../lib/entra/msal");

    const tenantId = DEMO_IDS.tenants.fabrikam;
    const url = info.environments.find((e) => e.name === "fabrikam")!.url;
    // Consent proven once (as the consent page does): every check proves it again with a fresh token.
    await db().tenant.create({ data: { id: tenantId, consentState: "GRANTED", consentVerifiedAt: new Date() } });
    const env = await db().environment.create({ data: { tenantId, url }, select: { id: true } });
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
    const timed = async (latency = 0) => {
      await emulator.admin({ method: "clearRequestLog", args: [] });
      resetTimeline();
      const started = performance.now();
      const { checkId, outcome } = await runCheck(scope, target, "CUSTOMER");
      const ended = performance.now();
      const split = breakdown(timeline(), started, ended);
      const row = await db().connectionCheck.findUniqueOrThrow({
        where: { id: checkId },
        select: { entraRequests: true, dataverseRequests: true },
      });
      if (outcome !== "PASSED") throw new Error(`bench check did not pass: ${outcome}`);
      // The emulator's own processing time (beyond the injected L) is Microsoft's side, not the portal's: reported apart.
      const log = await emulator.admin<RequestLogEntry[]>({ method: "requestLog", args: [] });
      const emulatorMs = log
        .filter((e) => e.kind === "dataverse" || e.kind === "entra.token")
        .reduce((sum, e) => sum + Math.max(0, e.durationMs - latency), 0);
      const consentProofs = log.filter(
        (e) => e.kind === "entra.token" && e.scope === `${DEMO_IDS.clientId}/.default`,
      ).length;
      return { ms: ended - started, emulatorMs, ...row, consentProofs, sequential: sequentialRoundTrips(log), split };
    };
    for (let i = 0; i < 3; i++) await timed(); // warm up code paths and the database

    console.log(
      `latency L | cold check (ms, ×L) | warm check median of ${WARM_RUNS} (ms, ×L) | goal | sequential round trips cold / warm | requests cold Entra+Dataverse (of which consent proof) | requests warm Entra+Dataverse (of which consent proof) | local overhead cold / warm (ms) | of which the emulator's processing, warm (ms)`,
    );
    const splits: Array<{ latency: number; split: Breakdown }> = [];
    for (const latency of LATENCIES_MS) {
      await emulator.admin({ method: "setFaults", args: [{ latencyMs: latency }] });
      forgetTenantClient(tenantId);
      const cold = await timed(latency);
      const warm: Array<Awaited<ReturnType<typeof timed>>> = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(latency));
      for (const w of warm) if (w.split) splits.push({ latency, split: w.split });
      const warmMs = median(warm.map((w) => w.ms));
      const overhead = (r: { ms: number; sequential: number }) => r.ms - r.sequential * latency;
      const warmOverhead = median(warm.map(overhead));
      const w = warm[0]!;
      const goal = WARM_GOAL[latency]!;
      console.log(
        `${String(latency).padStart(6)} ms | ${cold.ms.toFixed(0).padStart(6)} (${(cold.ms / latency).toFixed(2)}×L) | ${warmMs.toFixed(0).padStart(6)} (${(warmMs / latency).toFixed(2)}×L) | ≤ ${goal}×L = ${(goal * latency).toFixed(0)} ms ${warmMs <= goal * latency ? "reached" : "NOT reached"} | ${cold.sequential} / ${median(warm.map((x) => x.sequential))} | ${cold.entraRequests} + ${cold.dataverseRequests} (${cold.consentProofs}) | ${w.entraRequests} + ${w.dataverseRequests} (${w.consentProofs}) | ${overhead(cold).toFixed(0)} / ${warmOverhead.toFixed(0)} | ${median(warm.map((x) => x.emulatorMs)).toFixed(0)}`,
      );
    }
    printBreakdown(splits);
    if (database === "pglite") await managedIdentityColdChecks(emulator, timed, tenantId);
    await db().$disconnect();
  } finally {
    await emulator.close();
  }
}

function printBreakdown(splits: Array<{ latency: number; split: Breakdown }>): void {
  console.log(`\nWarm check's timeline, medians (ms): where the local time goes`);
  console.log(
    "L | before the start | start (statement or transaction) | start → $batch sent (of which prerequisites SQL, in parallel) | $batch round trip (− L) | $batch answered → finish begins | finish (statement or transaction; of which in SQL) | after the finish | local = total − L",
  );
  for (const latency of LATENCIES_MS) {
    const s = splits.filter((x) => x.latency === latency).map((x) => x.split);
    const m = (f: (b: Breakdown) => number) => median(s.map(f));
    const local = m(
      (b) => b.beforeStart + b.start + b.toBatch + (b.batch - latency) + b.toFinish + b.finish + b.afterFinish,
    );
    console.log(
      `${latency} | ${ms(m((b) => b.beforeStart))} | ${ms(m((b) => b.start))} | ${ms(m((b) => b.toBatch))} (${ms(m((b) => b.prerequisitesSql))}) | ${ms(m((b) => b.batch))} (${ms(m((b) => b.batch - latency))}) | ${ms(m((b) => b.toFinish))} | ${ms(m((b) => b.finish))} (${ms(m((b) => b.finishSql))}) | ${ms(m((b) => b.afterFinish))} | ${ms(local)}`,
    );
  }
  // Statements in the order the warm checks send them (the same each time), with their median time over every warm check.
  const all = splits.map((x) => x.split.statements);
  const shape = all[0]?.map((s) => `${s.phase}: ${s.label}`).join("|");
  const same = all.filter((st) => st.map((s) => `${s.phase}: ${s.label}`).join("|") === shape);
  console.log(
    `\nWarm check's SQL statements, in order (median of ${same.length} warm checks, ms; measured in this process around the driver adapter)`,
  );
  const byPhase = new Map<string, number>();
  (all[0] ?? []).forEach((s, i) => {
    const t = median(same.map((st) => st[i]!.ms));
    byPhase.set(s.phase, (byPhase.get(s.phase) ?? 0) + t);
    console.log(`  ${s.phase.padEnd(22)} ${s.label.padEnd(32)} ${ms(t).padStart(6)}`);
  });
  console.log(
    `  statements: ${all[0]?.length ?? 0}; per phase (ms): ${[...byPhase].map(([p, t]) => `${p} ${ms(t)}`).join(", ")}`,
  );
}

const MI_COLD_RUNS = 5;

/** Cold checks (no app token cached) with the managed identity's federated assertion as the credential. */
async function managedIdentityColdChecks(
  emulator: Emulator,
  timed: (latency?: number) => Promise<{ ms: number; entraRequests: number; dataverseRequests: number }>,
  tenantId: string,
): Promise<void> {
  const latency = 100;
  delete process.env.ENTRA_CLIENT_SECRET;
  Object.assign(process.env, {
    IDENTITY_ENDPOINT: emulator.info.managedIdentity.endpoint,
    IDENTITY_HEADER: emulator.info.managedIdentity.header,
    ENTRA_CLIENT_MANAGED_IDENTITY: DEMO_IDS.managedIdentity.clientId,
  });
  const { reloadConfig } = await import("../../lib/config");
  const { forgetTenantClient } = await import("../../lib/entra/msal");
  const { ASSERTION_RENEW_BEFORE_MS } = await import("../../lib/entra/managed-identity");
  reloadConfig();
  await emulator.admin({ method: "setFaults", args: [{ latencyMs: latency }] });
  const lifetime = emulator.info.managedIdentity.tokenLifetimeSeconds;
  console.log(
    `\nCold checks with the managed identity as the app's credential (no secret; assertion lifetime ${lifetime / 3600} h, renewed ${ASSERTION_RENEW_BEFORE_MS / 60_000} min before it ends), L = ${latency} ms`,
  );
  console.log("run | check (ms, ×L) | requests Entra + Dataverse + managed identity");
  let identityTotal = 0;
  for (let run = 1; run <= MI_COLD_RUNS; run++) {
    forgetTenantClient(tenantId);
    const r = await timed(latency);
    const identity = (await emulator.admin<RequestLogEntry[]>({ method: "requestLog", args: [] })).filter(
      (e) => e.kind === "identity",
    ).length;
    identityTotal += identity;
    console.log(
      `${String(run).padStart(3)} | ${r.ms.toFixed(0).padStart(6)} (${(r.ms / latency).toFixed(2)}×L) | ${r.entraRequests} + ${r.dataverseRequests} + ${identity}`,
    );
  }
  console.log(
    `managed identity requests in ${MI_COLD_RUNS} cold checks: ${identityTotal} (at most one per assertion lifetime)`,
  );
  await emulator.admin({ method: "setFaults", args: [{ latencyMs: 0 }] });
}

// Run as a child: `tsx --conditions=react-server scripts/bench/check.ts child pglite|postgres`.
if (
  process.argv[1] &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) &&
  process.argv[2] === "child"
) {
  child(process.argv[3] === "postgres" ? "postgres" : "pglite").then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
