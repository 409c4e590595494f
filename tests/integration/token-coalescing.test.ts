// Token requests coalesce per tenant (lib/entra/msal.ts): concurrent checks of one tenant that find MSAL's cache
// empty share one token request, seen in the emulator's request log; checks of different tenants share nothing.
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { testCustomerScope } from "../support/customer-scope";
import { useCheckHarness } from "../support/check-harness";

const h = useCheckHarness("pglite");

async function environment(tenantId: string, envName: string) {
  const { db } = await import("@/lib/db/client");
  const url = h.emulator.environmentUrl(envName);
  await db().tenant.upsert({ where: { id: tenantId }, create: { id: tenantId, consentState: "GRANTED" }, update: {} });
  const env = await db().environment.upsert({
    where: { url },
    create: { tenantId, url },
    update: {},
    select: { id: true },
  });
  return { tenantId, target: { environmentId: env.id, environmentUrl: url } };
}

describe("token requests", () => {
  beforeEach(async () => {
    h.emulator.admin.reset();
    const { forgetTenantClient } = await import("@/lib/entra/msal");
    for (const id of Object.values(DEMO_IDS.tenants)) forgetTenantClient(id);
  });

  it("concurrent checks of one tenant with an empty cache send one token request; other tenants get their own", async () => {
    const { runCheck } = await import("@/lib/checks/launch");
    const fabrikam = await environment(DEMO_IDS.tenants.fabrikam, "fabrikam");
    const adventure = await environment(DEMO_IDS.tenants.adventureWorks, "adventureworks");
    // Latency keeps every token request open while the others start, as under load.
    h.emulator.admin.setFaults({ latencyMs: 100 });
    const before = h.emulator.requestLog().length;
    const runs = [...Array(8).keys()].map(async (i) => {
      const { tenantId, target } = i % 2 ? adventure : fabrikam;
      return runCheck(await testCustomerScope(tenantId), target, "CUSTOMER");
    });
    const results = await Promise.all(runs);
    const log = h.emulator.requestLog().slice(before);
    const tokens = log.filter((e) => e.kind === "entra.token");
    expect(tokens.map((e) => e.tenantId).sort()).toEqual(
      [DEMO_IDS.tenants.fabrikam, DEMO_IDS.tenants.adventureWorks].sort(),
    );
    // Each environment was reached only with its own tenant's token.
    const dataverse = log.filter((e) => e.kind === "dataverse" && e.environment);
    expect(dataverse.length).toBeGreaterThan(0);
    for (const e of dataverse)
      expect(e.tokenTid).toBe(
        e.environment === "fabrikam" ? DEMO_IDS.tenants.fabrikam : DEMO_IDS.tenants.adventureWorks,
      );
    // Fabrikam's four checks all passed with the one token; Adventure Works' all reached the roles step.
    expect(results.filter((_, i) => i % 2 === 0).map((r) => r.outcome)).toEqual([
      "PASSED",
      "PASSED",
      "PASSED",
      "PASSED",
    ]);
    const { db } = await import("@/lib/db/client");
    const checks = await db().connectionCheck.findMany({
      where: { id: { in: results.map((r) => r.checkId) } },
      select: { tenantId: true, entraRequests: true },
    });
    const sent = (tenantId: string) =>
      checks.filter((c) => c.tenantId === tenantId).reduce((n, c) => n + c.entraRequests, 0);
    expect([sent(DEMO_IDS.tenants.fabrikam), sent(DEMO_IDS.tenants.adventureWorks)]).toEqual([1, 1]);
  });

  it("a shared request that fails reports Entra's answer to every check that joined it, and is not kept", async () => {
    const { runCheck } = await import("@/lib/checks/launch");
    const contoso = await environment(DEMO_IDS.tenants.contoso, "contoso");
    h.emulator.admin.setFaults({ latencyMs: 100 });
    const before = h.emulator.requestLog().length;
    const scope = await testCustomerScope(contoso.tenantId);
    const results = await Promise.all([0, 1, 2].map(() => runCheck(scope, contoso.target, "CUSTOMER")));
    expect(
      h.emulator
        .requestLog()
        .slice(before)
        .filter((e) => e.kind === "entra.token"),
    ).toHaveLength(1);
    const { db } = await import("@/lib/db/client");
    const steps = await db().checkStep.findMany({
      where: { checkId: { in: results.map((r) => r.checkId) }, name: "token" },
      select: { errorCode: true, diagnosis: true },
    });
    expect(steps).toEqual([0, 1, 2].map(() => ({ errorCode: "AADSTS700016", diagnosis: "app-not-in-tenant" })));
    // The failure is not remembered: the next check asks again.
    await runCheck(scope, contoso.target, "CUSTOMER");
    expect(
      h.emulator
        .requestLog()
        .slice(before)
        .filter((e) => e.kind === "entra.token"),
    ).toHaveLength(2);
  });
});
