// Tenant isolation in the data layer: a scope for tenant A can neither read nor change tenant B's rows.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testCustomerScope } from "../support/customer-scope";

/** Two tenants of the test's own (each test makes its pair, so the tests run alone and in any order). */
async function twoTenants() {
  const { db } = await import("@/lib/db/client");
  const [tenantA, tenantB] = [randomUUID(), randomUUID()];
  for (const id of [tenantA, tenantB])
    await db().tenant.create({ data: { id, primaryDomain: `${id.slice(0, 8)}.example.com` } });
  return { tenantA, tenantB };
}

export function tenantIsolationSuite() {
  describe("tenant-scoped data access", () => {
    it("keeps each tenant's environments, checks and audit apart", async () => {
      const { db } = await import("@/lib/db/client");
      const { registerEnvironment, getEnvironment, getEnvironmentWithLatest, removeEnvironment } =
        await import("@/lib/data/environments");
      const { createCheck, recordSteps, listChecks, getCheck } = await import("@/lib/data/checks");
      const { finishCheck } = await import("@/lib/checks/finish");
      const { getTenant } = await import("@/lib/data/tenants");
      const { normaliseEnvironmentUrl } = await import("@/lib/dataverse/environment-url");
      const { tenantA, tenantB } = await twoTenants();
      const a = await testCustomerScope(tenantA);
      const b = await testCustomerScope(tenantB);

      const envB = await registerEnvironment(
        b,
        normaliseEnvironmentUrl("tenantb.crm4.dynamics.com", ["crm4.dynamics.com"]),
        "B prod",
      );
      expect(envB.ok).toBe(true);
      if (!envB.ok) return;
      const { checkId: checkB } = await createCheck(b, envB.id, "CUSTOMER");
      await recordSteps(b, checkB, [{ ordinal: 0, name: "token", outcome: "PASSED", durationMs: 5 }]);
      await finishCheck(b, checkB, {
        outcome: "PASSED",
        failingStep: null,
        durationMs: 5,
        entraRequests: 1,
        dataverseRequests: 0,
      });

      // Tenant A sees none of it, and cannot remove it.
      expect(await getEnvironment(a, envB.id)).toBeNull();
      expect(await getEnvironmentWithLatest(a, envB.id)).toBeNull();
      expect(await listChecks(a, envB.id)).toEqual([]);
      expect(await getCheck(a, checkB)).toBeNull();
      expect(await removeEnvironment(a, envB.id)).toBe(false);
      expect((await getTenant(a))?.environments).toEqual([]);
      // A duplicate registration by A is refused without revealing B's details.
      const dup = await registerEnvironment(
        a,
        normaliseEnvironmentUrl("https://TENANTB.api.crm4.dynamics.com/", ["crm4.dynamics.com"]),
        null,
      );
      expect(dup).toEqual({ ok: false, reason: "duplicate-other" });

      // Tenant B still has everything, and its summary was updated by the finished check.
      expect(await getEnvironment(b, envB.id)).toMatchObject({
        url: "https://tenantb.crm4.dynamics.com",
        latestCheckOutcome: "PASSED",
      });
      expect((await getCheck(b, checkB))?.steps).toHaveLength(1);
      // Its page reads the check that set its state, with its steps, in the same statement as the environment.
      const page = await getEnvironmentWithLatest(b, envB.id);
      expect(page?.latestCheck).toMatchObject({ id: checkB, outcome: "PASSED", steps: [{ name: "token" }] });
      expect(page?.latestSetup).toBeNull();
      expect((await listChecks(b, envB.id)).map((check) => check.id)).toEqual([checkB]);
      expect(await db().tenant.findUnique({ where: { id: tenantB }, select: { latestCheckOutcome: true } })).toEqual({
        latestCheckOutcome: "PASSED",
      });
      expect(
        await registerEnvironment(b, normaliseEnvironmentUrl("tenantb.crm4.dynamics.com", ["crm4.dynamics.com"]), null),
      ).toEqual({ ok: false, reason: "duplicate-own" });

      // Every change was audited under the tenant it concerns.
      const actions = await db().auditEvent.findMany({
        where: { tenantId: tenantB },
        select: { action: true },
        orderBy: { createdAt: "asc" },
      });
      expect(actions.map((x) => x.action)).toEqual([
        "environment.registered",
        "check.started",
        "environment.ready",
        "check.finished",
      ]);
      expect(await db().auditEvent.count({ where: { tenantId: tenantA } })).toBe(0);

      // Malformed ids are simply "not found".
      expect(await getEnvironment(b, "not-a-uuid")).toBeNull();
      expect(await getCheck(b, "'; drop table tenant; --")).toBeNull();
    });

    it("binds the consent state to the session, once, before it expires", async () => {
      const { db } = await import("@/lib/db/client");
      const { startConsentRequest, redeemConsentState } = await import("@/lib/data/tenants");
      const { tenantA, tenantB } = await twoTenants();
      const a = await testCustomerScope(tenantA);
      const b = await testCustomerScope(tenantB);
      const session = await db().portalSession.create({
        data: {
          tenantId: tenantA,
          entraTenantId: tenantA,
          userObjectId: "00000000-0000-4000-8000-0000000000aa",
          expiresAt: new Date(Date.now() + 3600_000),
        },
        select: { id: true },
      });
      const other = await db().portalSession.create({
        data: {
          tenantId: tenantA,
          entraTenantId: tenantA,
          userObjectId: "00000000-0000-4000-8000-0000000000aa",
          expiresAt: new Date(Date.now() + 3600_000),
        },
        select: { id: true },
      });
      const state = await startConsentRequest(a, session.id);
      expect(await redeemConsentState(a, other.id, state)).toBeNull(); // another session
      expect(await redeemConsentState(b, session.id, state)).toBeNull(); // another tenant
      expect(await redeemConsentState(a, session.id, `${state}x`)).toBeNull(); // forged
      expect(await redeemConsentState(a, session.id, state)).not.toBeNull(); // the real one, once
      expect(await redeemConsentState(a, session.id, state)).toBeNull(); // replayed

      const expired = await startConsentRequest(a, session.id);
      await db().consentRequest.updateMany({
        where: { usedAt: null },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expect(await redeemConsentState(a, session.id, expired)).toBeNull();
    });

    it("limits how many checks one tenant may start, per tenant", async () => {
      const { db } = await import("@/lib/db/client");
      const { createCheck } = await import("@/lib/data/checks");
      const { registerEnvironment } = await import("@/lib/data/environments");
      const { customerCheckRateLimit, CUSTOMER_CHECK_RATE } = await import("@/lib/checks/rate-limit");
      const { normaliseEnvironmentUrl } = await import("@/lib/dataverse/environment-url");
      const { tenantA, tenantB } = await twoTenants();
      const a = await testCustomerScope(tenantA);
      const b = await testCustomerScope(tenantB);
      const env = await registerEnvironment(
        a,
        normaliseEnvironmentUrl("ratelimited.crm4.dynamics.com", ["crm4.dynamics.com"]),
        null,
      );
      if (!env.ok) throw new Error("setup");
      for (let i = 0; i < CUSTOMER_CHECK_RATE.max; i++) {
        expect(await customerCheckRateLimit(a)).toBeNull();
        await createCheck(a, env.id, "CUSTOMER");
      }
      expect(await customerCheckRateLimit(a)).toMatch(/^You have run 12 checks in the last 10 minutes/);
      // Another tenant is not affected, and the window slides.
      expect(await customerCheckRateLimit(b)).toBeNull();
      expect(await customerCheckRateLimit(a, Date.now() + CUSTOMER_CHECK_RATE.windowMs + 1000)).toBeNull();
      await db().connectionCheck.deleteMany({ where: { environmentId: env.id } });
    });
  });
}
