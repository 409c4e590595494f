// The check engine (lib/checks) against an in-process emulator and a fresh portal database, configured
// exactly as a deployment would be: through the environment that lib/config reads.
import { afterAll, beforeAll } from "vitest";
import {
  startEmulator,
  type EmulatorHandle,
  demoScenario,
  testCredentials,
  DEMO_IDS,
  EMULATED_DATAVERSE_HOST_SUFFIXES,
} from "@tenant-onboarding/emulator";
import { usePortalDatabase } from "./portal-database";
import { testCustomerScope } from "./customer-scope";
import type { TestDatabaseKind } from "./databases";
import { setTestEnv } from "./config";

export function useCheckHarness(kind: TestDatabaseKind = "pglite") {
  const harness = { emulator: undefined as unknown as EmulatorHandle };
  beforeAll(async () => {
    harness.emulator = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
    setTestEnv({
      ENTRA_AUTHORITY_HOST: harness.emulator.authorityHost,
      ENTRA_CLIENT_ID: DEMO_IDS.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
      OUTBOUND_TIMEOUT_MS: "5000",
      GRAPH_URL: harness.emulator.graphUrl,
    });
  }, 60_000);
  usePortalDatabase(kind);
  afterAll(async () => {
    await harness.emulator?.close();
  });
  return harness;
}

/**
 * Files the emulated environment under the tenant (as a registration would), runs a check to its end as the
 * tenant's administrator and returns the check with its steps.
 */
export async function runHarnessCheck(harness: { emulator: EmulatorHandle }, tenantId: string, envName: string) {
  const { db } = await import("@/lib/db/client");
  const { runCheck } = await import("@/lib/checks/launch");
  const url = harness.emulator.environmentUrl(envName);
  await db().tenant.upsert({ where: { id: tenantId }, create: { id: tenantId, consentState: "GRANTED" }, update: {} });
  const env = await db().environment.upsert({
    where: { url },
    create: { tenantId, url },
    update: {},
    select: { id: true },
  });
  const { checkId, outcome } = await runCheck(
    await testCustomerScope(tenantId),
    { environmentId: env.id, environmentUrl: url },
    "CUSTOMER",
  );
  const check = await db().connectionCheck.findUniqueOrThrow({
    where: { id: checkId },
    select: {
      outcome: true,
      failingStep: true,
      entraRequests: true,
      dataverseRequests: true,
      currentStep: true,
      finishedAt: true,
      steps: { orderBy: { ordinal: "asc" } },
    },
  });
  const step = (name: string) => check.steps.find((s) => s.name === name)!;
  const outcomes = check.steps.map((s) => [s.name, s.outcome]);
  return { outcome, check, step, outcomes };
}
