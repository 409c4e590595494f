// Connection-check latency of a person-run check (trigger CUSTOMER, as from the environment page) against the
// emulator with an injected per-request latency L: cold (no token cached: one token request first) and warm (token
// cached), as a ratio to L; the requests each check sends to Entra ID and to Dataverse, including the consent proof
// (a fresh token of the app for itself, sent beside the first Dataverse round trip: lib/checks/run.ts); the
// sequential round trips read from the emulator's request log (requests sent side by side count once); and the local
// overhead (check time − sequential round trips × L: the portal's own work and database writes). Aim: warm = ONE
// sequential round trip (its $batch, with the consent proof in parallel) and ≤ 1.3×L at L = 100 ms; cold = warm + 1
// (the Dataverse token, with the consent proof beside it).
// Then the same cold check with the managed identity as the app's credential (no secret): the first one also asks the
// managed identity endpoint for the assertion, the next ones reuse it (at most one managed identity request per
// assertion lifetime).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmulator, demoScenario, testCredentials, DEMO_IDS, EMULATED_DATAVERSE_HOST_SUFFIXES } from "@tenant-onboarding/emulator";
import { applyMigrations } from "../db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";
import { sequentialRoundTrips } from "./round-trips";

const LATENCIES_MS = [25, 100];
const WARM_RUNS = 7;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  const emulator = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "bench-check-"));
  try {
    const databaseUrl = `pglite:${dataDir}`;
    await applyMigrations(parseDatabaseUrl(databaseUrl));
    Object.assign(process.env, {
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      ENTRA_AUTHORITY_HOST: emulator.authorityHost,
      ENTRA_CLIENT_ID: DEMO_IDS.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
    });
    const { db } = await import("../../lib/db/client");
    const { customerScope } = await import("../../lib/data/scope");
    const { runCheck } = await import("../../lib/checks/launch");
    const { forgetTenantClient } = await import("../../lib/entra/msal");

    const tenantId = DEMO_IDS.tenants.fabrikam;
    const url = emulator.environmentUrl("fabrikam");
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
      emulator.admin.clearRequestLog();
      const started = performance.now();
      const { checkId, outcome } = await runCheck(scope, target, "CUSTOMER");
      const ms = performance.now() - started;
      const row = await db().connectionCheck.findUniqueOrThrow({ where: { id: checkId }, select: { entraRequests: true, dataverseRequests: true } });
      if (outcome !== "PASSED") throw new Error(`bench check did not pass: ${outcome}`);
      // The emulator runs in this process: its own processing time (beyond the injected L) is Microsoft's side,
      // not the portal's, so it is reported apart.
      const log = emulator.admin.requestLog();
      const emulatorMs = log.filter((e) => e.kind === "dataverse" || e.kind === "entra.token").reduce((sum, e) => sum + Math.max(0, e.durationMs - latency), 0);
      const consentProofs = log.filter((e) => e.kind === "entra.token" && e.scope === `${DEMO_IDS.clientId}/.default`).length;
      return { ms, emulatorMs, ...row, consentProofs, sequential: sequentialRoundTrips(log) };
    };
    await timed(); // warm up code paths and the database once

    console.log(
      `latency L | cold check (ms, ×L) | warm check median of ${WARM_RUNS} (ms, ×L) | sequential round trips cold / warm | requests cold Entra+Dataverse (of which consent proof) | requests warm Entra+Dataverse (of which consent proof) | local overhead cold / warm (ms) | of which the emulator's processing, warm (ms)`,
    );
    for (const latency of LATENCIES_MS) {
      emulator.admin.setFaults({ latencyMs: latency });
      forgetTenantClient(tenantId);
      const cold = await timed(latency);
      const warm: Array<Awaited<ReturnType<typeof timed>>> = [];
      for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(latency));
      const warmMs = median(warm.map((w) => w.ms));
      const overhead = (r: { ms: number; sequential: number }) => r.ms - r.sequential * latency;
      const warmOverhead = median(warm.map(overhead));
      const w = warm[0]!;
      console.log(
        `${String(latency).padStart(6)} ms | ${cold.ms.toFixed(0).padStart(6)} (${(cold.ms / latency).toFixed(2)}×L) | ${warmMs.toFixed(0).padStart(6)} (${(warmMs / latency).toFixed(2)}×L) | ${cold.sequential} / ${median(warm.map((x) => x.sequential))} | ${cold.entraRequests} + ${cold.dataverseRequests} (${cold.consentProofs}) | ${w.entraRequests} + ${w.dataverseRequests} (${w.consentProofs}) | ${overhead(cold).toFixed(0)} / ${warmOverhead.toFixed(0)} | ${median(warm.map((x) => x.emulatorMs)).toFixed(0)}`,
      );
    }
    await managedIdentityColdChecks(emulator, timed, tenantId);
    await db().$disconnect();
  } finally {
    await emulator.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const MI_COLD_RUNS = 5;

/** Cold checks (no app token cached) with the managed identity's federated assertion as the credential. */
async function managedIdentityColdChecks(
  emulator: Awaited<ReturnType<typeof startEmulator>>,
  timed: (latency?: number) => Promise<{ ms: number; entraRequests: number; dataverseRequests: number }>,
  tenantId: string,
): Promise<void> {
  const latency = 100;
  delete process.env.ENTRA_CLIENT_SECRET;
  Object.assign(process.env, {
    IDENTITY_ENDPOINT: emulator.managedIdentity.endpoint,
    IDENTITY_HEADER: emulator.managedIdentity.header,
    ENTRA_CLIENT_MANAGED_IDENTITY: DEMO_IDS.managedIdentity.clientId,
  });
  const { reloadConfig } = await import("../../lib/config");
  const { forgetTenantClient } = await import("../../lib/entra/msal");
  const { ASSERTION_RENEW_BEFORE_MS } = await import("../../lib/entra/managed-identity");
  reloadConfig();
  emulator.admin.setFaults({ latencyMs: latency });
  const lifetime = emulator.scenario.settings.managedIdentityTokenLifetimeSeconds;
  console.log(
    `\nCold checks with the managed identity as the app's credential (no secret; assertion lifetime ${lifetime / 3600} h, renewed ${ASSERTION_RENEW_BEFORE_MS / 60_000} min before it ends), L = ${latency} ms`,
  );
  console.log("run | check (ms, ×L) | requests Entra + Dataverse + managed identity");
  let identityTotal = 0;
  for (let run = 1; run <= MI_COLD_RUNS; run++) {
    forgetTenantClient(tenantId);
    const r = await timed(latency);
    const identity = emulator.admin.requestLog().filter((e) => e.kind === "identity").length;
    identityTotal += identity;
    console.log(`${String(run).padStart(3)} | ${r.ms.toFixed(0).padStart(6)} (${(r.ms / latency).toFixed(2)}×L) | ${r.entraRequests} + ${r.dataverseRequests} + ${identity}`);
  }
  console.log(`managed identity requests in ${MI_COLD_RUNS} cold checks: ${identityTotal} (at most one per assertion lifetime)`);
  emulator.admin.setFaults({ latencyMs: 0 });
}
