// Disconnecting an organisation (lib/data/tenants.ts): its data goes, the tenant stays listed for staff as
// "Disconnected" with who and when, its audit trail stays, and signing in again starts from nothing.
// Each test starts from an empty database with the two tenants seeded (the lists it reads are whole-database).
import { beforeEach, describe, expect, it } from "vitest";
import { emptyPortalDatabase, usePortalDatabase } from "../support/portal-database";
import { testCustomerScope } from "../support/customer-scope";

usePortalDatabase("pglite");

const LEAVING = "d15c0000-0000-4000-8000-000000000001";
const STAYING = "d15c0000-0000-4000-8000-000000000002";

async function seed(tenantId: string, domain: string) {
  const { db } = await import("@/lib/db/client");
  const { startSession } = await import("@/lib/data/sessions");
  await startSession(
    {
      tenantId,
      objectId: "00000000-0000-4000-8000-0000000000aa",
      name: "Admin",
      userPrincipalName: `admin@${domain}`,
      kind: "customer",
      roles: [],
      tenantAdmin: true,
    },
    { source: "DIRECT", sourceTag: null, invitationId: null },
    3600,
  );
  await db().tenant.update({
    where: { id: tenantId },
    data: {
      consentState: "GRANTED",
      consentGrantedAt: new Date(),
      consentGrantedByName: "Admin",
      consentVerifiedAt: new Date(),
      latestCheckOutcome: "PASSED",
      latestCheckAt: new Date(),
      health: "HEALTHY",
      customerReference: `ref-${domain}`,
    },
  });
  const env = await db().environment.create({
    data: {
      tenantId,
      url: `https://${domain.split(".")[0]}.crm.dynamics.com`,
      latestCheckOutcome: "PASSED",
      latestCheckAt: new Date(),
      lastVerifiedAt: new Date(),
    },
    select: { id: true },
  });
  await db().connectionCheck.create({
    data: {
      tenantId,
      environmentId: env.id,
      trigger: "CUSTOMER",
      startedAt: new Date(),
      finishedAt: new Date(),
      outcome: "PASSED",
    },
  });
}

async function listed(stage?: string): Promise<string[]> {
  const { parseTenantFilters } = await import("@/lib/data/support/tenant-filters");
  const { listTenants } = await import("@/lib/data/support/tenants");
  const parsed = parseTenantFilters(stage ? { stage } : {});
  if (!parsed.ok) throw new Error(parsed.errors.join(" "));
  const page = await listTenants(parsed.filters);
  if (!page.ok) throw new Error("page out of range");
  return page.rows.map((r) => r.id);
}

async function disconnectLeaving() {
  const { disconnectTenant } = await import("@/lib/onboarding/tenant-life");
  await disconnectTenant(await testCustomerScope(LEAVING));
}

beforeEach(async () => {
  await emptyPortalDatabase();
  await seed(LEAVING, "leaving.example.com");
  await seed(STAYING, "staying.example.com");
}, 60_000);

describe("disconnecting an organisation", () => {
  it("removes its environments, checks, consent and sessions; keeps the row marked with who and when, and the audit", async () => {
    const { db } = await import("@/lib/db/client");
    const { disconnectTenant } = await import("@/lib/onboarding/tenant-life");
    const before = new Date();
    await disconnectTenant(await testCustomerScope(LEAVING));

    expect(await db().environment.count({ where: { tenantId: LEAVING } })).toBe(0);
    expect(await db().connectionCheck.count({ where: { tenantId: LEAVING } })).toBe(0);
    expect(await db().portalSession.count({ where: { tenantId: LEAVING } })).toBe(0);
    const row = await db().tenant.findUniqueOrThrow({ where: { id: LEAVING } });
    expect(row).toMatchObject({
      consentState: "NOT_GRANTED",
      consentGrantedByName: null,
      latestCheckOutcome: null,
      health: null,
      disconnectedByName: "Admin",
      disconnectedByObjectId: "00000000-0000-4000-8000-0000000000aa",
      customerReference: "ref-leaving.example.com",
    });
    expect(row.disconnectedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    const actions = (
      await db().auditEvent.findMany({
        where: { tenantId: LEAVING },
        orderBy: { createdAt: "asc" },
        select: { action: true },
      })
    ).map((e) => e.action);
    expect(actions).toEqual(["tenant.created", "session.signed_in", "tenant.disconnected"]);

    // The other tenant is untouched.
    expect(await db().environment.count({ where: { tenantId: STAYING } })).toBe(1);
    expect(await db().portalSession.count({ where: { tenantId: STAYING } })).toBe(1);
  });

  it("staff find it under Disconnected, and in no other stage; the funnel and the ISV's API leave it out", async () => {
    await disconnectLeaving();
    expect(await listed("disconnected")).toEqual([LEAVING]);
    for (const stage of ["signed-in", "consented", "environment", "verified", "failing"])
      expect(await listed(stage)).not.toContain(LEAVING);
    // The whole list still shows it (it "stays listed"), after the connected ones.
    expect(await listed()).toEqual([STAYING, LEAVING]);
    const { getSupportTenant, stageOf } = await import("@/lib/data/support/tenants");
    const detail = await getSupportTenant(LEAVING);
    expect(stageOf({ ...detail!, environmentCount: detail!.environments.length })).toBe("disconnected");
    const { onboardingFunnel } = await import("@/lib/data/support/overview");
    expect(await onboardingFunnel()).toMatchObject({ total: 1, disconnected: 1 });
    const { listConnections, getConnection } = await import("@/lib/data/isv/connections");
    expect((await listConnections({ limit: 10 })).rows.map((r) => r.id)).toEqual([STAYING]);
    expect(await getConnection(LEAVING)).toBeNull();
  });

  it("a user without an administrator role signing in leaves it disconnected; an administrator's sign-in reconnects it (issue 19 item 7)", async () => {
    const PARTED = "d15c0000-0000-4000-8000-000000000003";
    const { db } = await import("@/lib/db/client");
    const { disconnectTenant } = await import("@/lib/onboarding/tenant-life");
    const { startSession } = await import("@/lib/data/sessions");
    await seed(PARTED, "parted.example.com");
    await disconnectTenant(await testCustomerScope(PARTED));
    const signIn = (objectId: string, name: string, tenantAdmin: boolean) =>
      startSession(
        {
          tenantId: PARTED,
          objectId,
          name,
          userPrincipalName: `${name.toLowerCase()}@parted.example.com`,
          kind: "customer",
          roles: [],
          tenantAdmin,
        },
        { source: "DIRECT", sourceTag: null, invitationId: null },
        3600,
      );

    await signIn("00000000-0000-4000-8000-0000000000cc", "Reader", false);
    expect(await db().tenant.findUniqueOrThrow({ where: { id: PARTED } })).toMatchObject({
      disconnectedAt: expect.any(Date),
      disconnectedByName: "Admin",
    });
    expect(await db().auditEvent.count({ where: { tenantId: PARTED, action: "tenant.reconnected" } })).toBe(0);
    expect(await listed("disconnected")).toContain(PARTED);

    await signIn("00000000-0000-4000-8000-0000000000dd", "Boss", true);
    expect(await db().tenant.findUniqueOrThrow({ where: { id: PARTED } })).toMatchObject({
      disconnectedAt: null,
      disconnectedByName: null,
    });
    expect(
      await db().auditEvent.findFirst({
        where: { tenantId: PARTED, action: "tenant.reconnected" },
        select: { actorName: true },
      }),
    ).toEqual({ actorName: "Boss" });
  });

  it("signing in again starts from nothing and clears the mark, audited as reconnected", async () => {
    await disconnectLeaving();
    const { db } = await import("@/lib/db/client");
    const { startSession } = await import("@/lib/data/sessions");
    await startSession(
      {
        tenantId: LEAVING,
        objectId: "00000000-0000-4000-8000-0000000000bb",
        name: "New Admin",
        userPrincipalName: "new@leaving.example.com",
        kind: "customer",
        roles: [],
        tenantAdmin: true,
      },
      { source: "DIRECT", sourceTag: null, invitationId: null },
      3600,
    );
    const row = await db().tenant.findUniqueOrThrow({ where: { id: LEAVING } });
    expect(row).toMatchObject({ disconnectedAt: null, disconnectedByName: null, consentState: "NOT_GRANTED" });
    expect(await db().environment.count({ where: { tenantId: LEAVING } })).toBe(0);
    const reconnected = await db().auditEvent.findFirst({
      where: { tenantId: LEAVING, action: "tenant.reconnected" },
      select: { actorName: true },
    });
    expect(reconnected).toEqual({ actorName: "New Admin" });
    expect(await listed("signed-in")).toContain(LEAVING);
    expect(await listed("disconnected")).toEqual([]);
  });
});
