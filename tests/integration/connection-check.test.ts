// The live connection check end to end (MSAL → Dataverse Web API) against the emulator: outcomes, the step
// each failure is reported under (one diagnosis per cause), its explanation, and how many requests a cold and
// a warm check make.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { testCredentials, DEMO_IDS, withSettings } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";

const h = useCheckHarness("pglite");

const run = (tenantId: string, envName: string) => runHarnessCheck(h, tenantId, envName);

describe("connection check", () => {
  beforeEach(async () => {
    h.emulator.admin.reset();
    const { db } = await import("@/lib/db/client");
    await db().tenant.updateMany({ data: { consentVerifiedAt: null } });
    await forgetTokens();
  });

  it("passes for a fully set-up environment: cold = token + WhoAmI + one $batch; warm = one $batch, no token request", async () => {
    const cold = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(cold.outcomes).toEqual([
      ["token", "PASSED"],
      ["whoami", "PASSED"],
      ["application-user", "PASSED"],
      ["roles", "PASSED"],
      ["least-privilege", "PASSED"],
      ["privileges", "PASSED"],
      ["sample-read", "PASSED"],
    ]);
    expect(cold.outcome).toBe("PASSED");
    const accounts = (cold.step("sample-read").result as { accounts: string[] }).accounts;
    expect(accounts).toHaveLength(3);
    expect(accounts).toEqual([...accounts].sort((a, b) => a.localeCompare(b)));
    expect({ entra: cold.check.entraRequests, dataverse: cold.check.dataverseRequests }).toEqual({
      entra: 1,
      dataverse: 2,
    });
    expect(cold.check.currentStep).toBeNull();

    const warm = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(warm.outcome).toBe("PASSED");
    expect({ entra: warm.check.entraRequests, dataverse: warm.check.dataverseRequests }).toEqual({
      entra: 0,
      dataverse: 1,
    });
    // The one round trip was a $batch asking with continue-on-error; WhoAmI went inside it.
    const parts = h.emulator
      .requestLog()
      .filter((e) => e.kind === "dataverse.batch-part")
      .slice(-4);
    expect(parts.map((p) => p.path.split("/").pop())).toEqual([
      "WhoAmI",
      expect.stringMatching(/^systemusers\(/),
      "Microsoft.Dynamics.CRM.RetrieveUserPrivileges",
      "accounts",
    ]);
    // The token went to the environment's own tenant, and reached only that environment.
    const tokenRequests = h.emulator.requestLog().filter((e) => e.kind === "entra.token");
    expect(tokenRequests.every((e) => JSON.stringify(e).includes(DEMO_IDS.tenants.fabrikam))).toBe(true);
  });

  it("needs no second page: with Dataverse paging at one row it still reads three sample accounts ($top) and every role ($expand is not paged)", async () => {
    h.emulator.admin.replaceScenario(withSettings(h.emulator.admin.state().scenario, { defaultPageSize: 1 }));
    h.emulator.admin.assignRole("fabrikam", "Basic User");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("PASSED");
    expect((r.step("sample-read").result as { accounts: string[] }).accounts).toHaveLength(3);
    expect((r.step("roles").result as { roles: string[] }).roles.sort()).toEqual([
      "Basic User",
      "Northwind Sync Integration",
    ]);
    // Nothing asked for a next page.
    expect(h.emulator.requestLog().filter((e) => e.query.includes("skiptoken"))).toEqual([]);
  });

  it("consent proven: a warm check proves it again with a fresh token beside its one $batch — still ONE sequential round trip", async () => {
    const { db } = await import("@/lib/db/client");
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    await db().tenant.update({ where: { id: DEMO_IDS.tenants.fabrikam }, data: { consentVerifiedAt: new Date() } });
    h.emulator.admin.setFaults({ latencyMs: 150 });
    h.emulator.admin.clearRequestLog();
    const warm = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    h.emulator.admin.setFaults({ latencyMs: 0 });
    expect(warm.outcome).toBe("PASSED");
    expect(warm.step("token").result).toMatchObject({ fromCache: true, consentProven: true });
    // The Dataverse token came from the cache; the one Entra request is the fresh consent proof, for the app itself.
    expect({ entra: warm.check.entraRequests, dataverse: warm.check.dataverseRequests }).toEqual({
      entra: 1,
      dataverse: 1,
    });
    const log = h.emulator.requestLog();
    expect(log.filter((e) => e.kind === "entra.token").map((e) => e.scope)).toEqual([`${DEMO_IDS.clientId}/.default`]);
    const { sequentialRoundTrips } = await import("@/scripts/bench/round-trips");
    expect(sequentialRoundTrips(log)).toBe(1);
  });

  it("consent removed while the Dataverse token is still cached: the next check says consent removed", async () => {
    const { db } = await import("@/lib/db/client");
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    await db().tenant.update({ where: { id: DEMO_IDS.tenants.fabrikam }, data: { consentVerifiedAt: new Date() } });
    h.emulator.admin.revokeConsent("Fabrikam");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("FAILED");
    expect(r.check.failingStep).toBe("token");
    expect(r.step("token")).toMatchObject({
      outcome: "FAILED",
      diagnosis: "consent-removed",
      errorCode: "AADSTS700016",
      vendorFault: false,
    });
    expect(r.step("token").customerCause).toMatch(/^Consent removed\. Admin consent for Northwind Sync was removed/);
    expect(r.step("token").customerFix).toContain("grants admin consent again");
    expect(r.step("whoami")).toMatchObject({ outcome: "SKIPPED" });
    // Staff see Entra's own answer to the proof.
    expect(r.step("token").vendorDetail).toMatchObject({
      service: "entra",
      aadstsCode: 700016,
      request: expect.stringContaining("consent proof"),
    });
  });

  it("the admin-only permission withdrawn (the enterprise application kept): consent removed, with no Microsoft code", async () => {
    const { db } = await import("@/lib/db/client");
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    await db().tenant.update({ where: { id: DEMO_IDS.tenants.fabrikam }, data: { consentVerifiedAt: new Date() } });
    // The enterprise application stays; the application permission admin consent granted is removed.
    h.emulator.admin.revokeApplicationPermissions("Fabrikam");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.step("token")).toMatchObject({ outcome: "FAILED", diagnosis: "consent-removed", errorCode: null });
    expect(r.step("token").vendorDetail).toMatchObject({ tokenIssued: true, adminPermissionInToken: false });
  });

  it("a tenant whose consent was never proven sends no consent proof (a warm check asks Entra nothing)", async () => {
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    const warm = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect({ entra: warm.check.entraRequests, dataverse: warm.check.dataverseRequests }).toEqual({
      entra: 0,
      dataverse: 1,
    });
  });

  it("asks again in a second round trip when WhoAmI names another application user than the remembered one", async () => {
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    h.emulator.admin.deleteApplicationUser("fabrikam");
    h.emulator.admin.createApplicationUser("fabrikam", { roles: ["Northwind Sync Integration"] });
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("PASSED");
    expect(r.check.dataverseRequests).toBe(2);
  });

  it("reports a missing application user under that step, with the fix", async () => {
    const r = await run(DEMO_IDS.tenants.contoso, "contoso");
    // Contoso has not consented in the demo scenario: the token step fails first.
    expect(r.check.failingStep).toBe("token");
    expect(r.step("token")).toMatchObject({ errorCode: "AADSTS700016", diagnosis: "app-not-in-tenant" });
    expect(r.step("whoami")).toMatchObject({
      outcome: "SKIPPED",
      result: { reason: "Not checked until the app can get a token for your tenant." },
    });
    h.emulator.admin.grantConsent("Contoso");
    const again = await run(DEMO_IDS.tenants.contoso, "contoso");
    expect(again.check.failingStep).toBe("application-user");
    expect(again.step("application-user")).toMatchObject({
      outcome: "FAILED",
      errorCode: "0x80072560",
      diagnosis: "application-user-missing",
    });
    expect(again.step("application-user").customerFix).toContain("Application users");
    expect(again.step("roles")).toMatchObject({
      outcome: "SKIPPED",
      result: { reason: "Not checked until the application user is fixed." },
    });
  });

  it("reports a disabled application user", async () => {
    h.emulator.admin.setApplicationUserDisabled("fabrikam", true);
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check.failingStep).toBe("application-user");
    expect(r.step("application-user")).toMatchObject({
      diagnosis: "application-user-disabled",
      errorCode: "0x8004430d",
    });
    expect(r.step("application-user").customerCause).toContain("disabled");
  });

  it("explains an environment in administration mode, which keeps the application user out too", async () => {
    h.emulator.admin.setAdministrationMode("fabrikam", true);
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("FAILED");
    const failing = r.step(r.check.failingStep!);
    expect(failing).toMatchObject({ diagnosis: "administration-mode", errorCode: "0x8004f0fd" });
    expect(failing.customerFix).toContain("Turn administration mode off");
    h.emulator.admin.setAdministrationMode("fabrikam", false);
  });

  it("an application user without any role: one failure (the role), everything after it skipped", async () => {
    const r = await run(DEMO_IDS.tenants.adventureWorks, "adventureworks");
    expect(r.outcome).toBe("FAILED");
    expect(r.outcomes).toEqual([
      ["token", "PASSED"],
      ["whoami", "PASSED"],
      ["application-user", "PASSED"],
      ["roles", "FAILED"],
      ["least-privilege", "PASSED"],
      ["privileges", "SKIPPED"],
      ["sample-read", "SKIPPED"],
    ]);
    expect(r.step("roles")).toMatchObject({
      diagnosis: "role-missing",
      customerCause: expect.stringContaining("it has no security roles"),
    });
    expect(r.step("roles").customerFix).toContain("Edit security roles");
    expect(r.step("privileges").result).toEqual({ reason: "Not checked until the security role is fixed." });
    // Customers never see the portal's own codes.
    for (const step of r.check.steps) expect(step.errorCode ?? "").not.toMatch(/^portal\./);
  });

  it("a role lacking prvReadUser: one failure naming prvReadUser and its depth", async () => {
    h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadUser", null);
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check.steps.filter((s) => s.outcome === "FAILED").map((s) => s.name)).toEqual(["privileges"]);
    const privileges = r.step("privileges");
    expect(privileges).toMatchObject({ errorCode: "0x80040220", diagnosis: "privileges-missing" });
    expect(privileges.customerCause).toContain("prvReadUser (Business Unit level)");
    expect(privileges.customerFix).toContain("User: Read at Business Unit level");
    expect(r.step("roles").outcome).toBe("SKIPPED");
    expect(r.step("sample-read").outcome).toBe("SKIPPED");
  });

  it("a privilege held at too shallow a depth is named with the depth it needs", async () => {
    h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvWriteContact", "Basic");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.check.failingStep).toBe("privileges");
    expect(r.step("privileges").customerCause).toContain(
      "prvWriteContact (Organization level), held only at User level",
    );
    expect(r.step("sample-read").outcome).toBe("SKIPPED");
  });

  it("System Administrator alone: role missing and over-privileged, in the same run", async () => {
    h.emulator.admin.removeRole("fabrikam", "Northwind Sync Integration");
    h.emulator.admin.assignRole("fabrikam", "System Administrator");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("FAILED");
    expect(r.step("roles")).toMatchObject({
      outcome: "FAILED",
      diagnosis: "role-missing",
      customerCause: expect.stringContaining("it has: System Administrator"),
    });
    expect(r.step("least-privilege")).toMatchObject({ outcome: "WARNING", diagnosis: "system-administrator" });
    expect(r.step("privileges").outcome).toBe("SKIPPED");
  });

  it("warns when the application user also holds System Administrator", async () => {
    h.emulator.admin.assignRole("fabrikam", "System Administrator");
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("WARNING");
    expect(r.step("roles").outcome).toBe("PASSED");
    expect(r.step("least-privilege")).toMatchObject({
      outcome: "WARNING",
      diagnosis: "system-administrator",
      errorCode: null,
    });
  });

  it("tells the customer an expired secret is the vendor's problem, and keeps the detail for support", async () => {
    h.emulator.admin.expireSecret();
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    const token = r.step("token");
    expect(token).toMatchObject({ outcome: "FAILED", errorCode: "AADSTS7000222", diagnosis: "vendor-credential" });
    expect(token.customerCause).toContain("Northwind Traders");
    expect(token.customerCause).not.toContain("AADSTS");
    expect(token.vendorFault).toBe(true);
    expect(token.vendorDetail).toMatchObject({ aadstsCode: 7000222, error: "invalid_client", httpStatus: 401 });
    expect((token.vendorDetail as { traceId: string }).traceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("waits out a 429 for Retry-After and then passes", async () => {
    h.emulator.admin.throttle({ environment: "fabrikam", count: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const r = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(r.outcome).toBe("PASSED");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((r.step("whoami").result as { throttledWaitsSeconds: number[] }).throttledWaitsSeconds).toEqual([1]);
  });

  it("never sends a token for one tenant to another tenant's environment", async () => {
    // An environment row wrongly filed under Fabrikam but living in Adventure Works' tenant: Dataverse refuses.
    const r = await run(DEMO_IDS.tenants.fabrikam, "adventureworks-dev");
    expect(r.check.failingStep).toBe("whoami");
    expect(r.step("whoami")).toMatchObject({ errorCode: "http.401", diagnosis: "token-rejected" });
  });

  it("the tenant's summary is its worst environment's latest result, whichever ran last", async () => {
    const { db } = await import("@/lib/db/client");
    const summary = () =>
      db().tenant.findUniqueOrThrow({
        where: { id: DEMO_IDS.tenants.fabrikam },
        select: { latestCheckOutcome: true, latestFailingStep: true, latestCheckAt: true },
      });
    // Earlier tests in this file filed another environment under Fabrikam: start from its one real environment.
    await db().environment.deleteMany({
      where: { tenantId: DEMO_IDS.tenants.fabrikam, url: { not: h.emulator.environmentUrl("fabrikam") } },
    });
    await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(await summary()).toMatchObject({ latestCheckOutcome: "PASSED", latestFailingStep: null });
    await run(DEMO_IDS.tenants.fabrikam, "adventureworks-dev"); // filed under Fabrikam, lives elsewhere: fails
    expect(await summary()).toMatchObject({ latestCheckOutcome: "FAILED", latestFailingStep: "whoami" });
    const passedAgain = await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    expect(passedAgain.outcome).toBe("PASSED");
    const after = await summary();
    expect(after).toMatchObject({ latestCheckOutcome: "FAILED", latestFailingStep: "whoami" });
    const newest = await db().connectionCheck.findFirstOrThrow({
      where: { tenantId: DEMO_IDS.tenants.fabrikam },
      orderBy: { startedAt: "desc" },
      select: { startedAt: true },
    });
    expect(after.latestCheckAt?.getTime()).toBe(newest.startedAt.getTime());
  });

  it("keeps the client secret out of every database row and every log line", async () => {
    const secret = testCredentials().secret.value;
    const lines: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" "))),
    );
    try {
      await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
      h.emulator.admin.expireSecret();
      await forgetTokens(DEMO_IDS.tenants.fabrikam);
      await run(DEMO_IDS.tenants.fabrikam, "fabrikam");
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const { db } = await import("@/lib/db/client");
    const tables = await db().$queryRawUnsafe<Array<{ table_name: string }>>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThanOrEqual(8);
    for (const { table_name } of tables) {
      const rows = await db().$queryRawUnsafe<unknown[]>(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      for (const row of rows) expect(JSON.stringify(row)).not.toContain(secret);
    }
    for (const line of lines) expect(line).not.toContain(secret);
  });
});
