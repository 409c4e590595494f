// The check engine (lib/checks) against an in-process emulator and a fresh portal database, configured
// exactly as a deployment would be: through the environment that lib/config reads.
import { afterAll, beforeAll } from "vitest";
import { startEmulator, type EmulatorHandle } from "@/emulator/index";
import { demoScenario } from "@/emulator/demo-scenario";
import { testCredentials } from "@/emulator/scenario-builders";
import { DEMO_IDS } from "@/emulator/demo-ids";
import { EMULATED_DATAVERSE_HOST_SUFFIXES } from "@/emulator/hosts";
import { usePortalDatabase } from "./portal-database";
import type { TestDatabaseKind } from "./databases";


export function useCheckHarness(kind: TestDatabaseKind = "pglite") {
  const harness = { emulator: undefined as unknown as EmulatorHandle };
  beforeAll(async () => {
    harness.emulator = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
    Object.assign(process.env, {
      ENTRA_AUTHORITY_HOST: harness.emulator.authorityHost,
      ENTRA_CLIENT_ID: DEMO_IDS.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: EMULATED_DATAVERSE_HOST_SUFFIXES.join(","),
      OUTBOUND_TIMEOUT_MS: "5000",
    });
  }, 60_000);
  usePortalDatabase(kind);
  afterAll(async () => {
    await harness.emulator?.close();
  });
  return harness;
}
