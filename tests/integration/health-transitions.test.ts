// Health transitions computed where a check finishes (lib/checks/finish.ts): each real breakage seen by
// the next check moves the environment to BROKEN once, with its cause and "broken since"; recovery is told once;
// consent removed for a tenant whose consent was proven is recognised as such and marks the consent revoked.
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";

const h = useCheckHarness("pglite");
const FABRIKAM = DEMO_IDS.tenants.fabrikam;

async function state() {
  const { db } = await import("@/lib/db/client");
  const env = await db().environment.findFirstOrThrow({
    where: { tenantId: FABRIKAM },
    select: { id: true, health: true, brokenSince: true, healthCause: true, healthCauseId: true, lastVerifiedAt: true },
  });
  const tenant = await db().tenant.findUniqueOrThrow({
    where: { id: FABRIKAM },
    select: { health: true, brokenSince: true, consentState: true },
  });
  const transitions = await db().auditEvent.findMany({
    where: { tenantId: FABRIKAM, action: { startsWith: "environment." } },
    orderBy: { createdAt: "asc" },
    select: { action: true, details: true },
  });
  return { env, tenant, transitions: transitions.map((t) => t.action) };
}

describe("health transitions", () => {
  beforeEach(async () => {
    h.emulator.admin.reset();
    await forgetTokens(FABRIKAM);
    const { db } = await import("@/lib/db/client");
    await db().tenant.deleteMany({ where: { id: FABRIKAM } });
    await db().auditEvent.deleteMany({ where: { tenantId: FABRIKAM } });
  });

  it("a disabled application user: broken once with its cause and since; recovered once; then healthy", async () => {
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect((await state()).env.health).toBe("HEALTHY");
    h.emulator.admin.setApplicationUserDisabled("fabrikam", true);
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    const { db } = await import("@/lib/db/client");
    const firstFailure = await db().connectionCheck.findFirstOrThrow({
      where: { tenantId: FABRIKAM, outcome: "FAILED" },
      orderBy: { startedAt: "asc" },
      select: { startedAt: true },
    });
    const broken = await state();
    expect(broken.env).toMatchObject({ health: "BROKEN", healthCauseId: "application-user-disabled" });
    expect(broken.env.healthCause).toContain("disabled");
    expect(broken.env.brokenSince).toEqual(firstFailure.startedAt);
    expect(broken.tenant).toMatchObject({ health: "BROKEN", brokenSince: broken.env.brokenSince });
    expect(broken.transitions).toEqual(["environment.ready", "environment.broken"]);

    h.emulator.admin.setApplicationUserDisabled("fabrikam", false);
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    const after = await state();
    expect(after.env).toMatchObject({ health: "HEALTHY", brokenSince: null, healthCause: null });
    expect(after.tenant).toMatchObject({ health: "HEALTHY", brokenSince: null });
    expect(after.transitions).toEqual(["environment.ready", "environment.broken", "environment.recovered"]);
  });

  it("a privilege removed from the role breaks the environment, naming what is missing", async () => {
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    h.emulator.admin.setRolePrivilege("fabrikam", "Northwind Sync Integration", "prvReadAccount", null);
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    const s = await state();
    expect(s.env).toMatchObject({ health: "BROKEN", healthCauseId: "privileges-missing" });
    expect(s.transitions).toEqual(["environment.ready", "environment.broken"]);
  });

  it("consent revoked after it was proven: broken as consent removed, the tenant's consent marked revoked", async () => {
    const { db } = await import("@/lib/db/client");
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    await db().tenant.update({ where: { id: FABRIKAM }, data: { consentVerifiedAt: new Date() } });
    h.emulator.admin.revokeConsent("Fabrikam");
    // The Dataverse token is still in MSAL's cache (valid until it expires): the check's fresh consent proof sees it.
    const r = await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect(r.step("token").errorCode).toBe("AADSTS700016");
    const s = await state();
    expect(s.env).toMatchObject({ health: "BROKEN", healthCauseId: "consent-removed" });
    expect(s.env.healthCause).toContain("Admin consent for Northwind Sync was removed");
    expect(s.tenant.consentState).toBe("REVOKED");
    expect(s.transitions).toEqual(["environment.ready", "environment.broken"]);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { tenantId: FABRIKAM, action: "environment.broken" },
      select: { details: true },
    });
    expect(audit.details).toMatchObject({ from: "HEALTHY", to: "BROKEN", cause: "consent-removed" });
  });

  it("an environment that never worked: no alert while it fails; its first working check is ready (connected), not recovered", async () => {
    h.emulator.admin.setApplicationUserDisabled("fabrikam", true);
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect((await state()).env).toMatchObject({ health: "BROKEN", lastVerifiedAt: null });
    expect((await state()).transitions).toEqual([]);
    h.emulator.admin.setApplicationUserDisabled("fabrikam", false);
    const r = await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect(r.outcome).toBe("PASSED");
    const s = await state();
    expect(s.env).toMatchObject({ health: "HEALTHY", brokenSince: null });
    expect(s.transitions).toEqual(["environment.ready"]);
  });

  it("an environment whose earlier passing check predates lastVerifiedAt (seeded) has worked: its failure is broken, not a first failure", async () => {
    const { db } = await import("@/lib/db/client");
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    await db().environment.updateMany({ where: { tenantId: FABRIKAM }, data: { lastVerifiedAt: null, health: null } });
    h.emulator.admin.setApplicationUserDisabled("fabrikam", true);
    await runHarnessCheck(h, FABRIKAM, "fabrikam");
    const s = await state();
    expect(s.env.health).toBe("BROKEN");
    expect(s.env.lastVerifiedAt).not.toBeNull();
    expect(s.transitions).toEqual(["environment.ready", "environment.broken"]);
  });
});
