// Data rules behind the support console (issue 20, items 7 and 9): an invitation used by an organisation that is
// already known, the check history that keeps what people ran beside the scheduled runs, and the tenant audit
// trail split into people's actions and scheduled checks.
import { beforeAll, describe, expect, it } from "vitest";
import { usePortalDatabase } from "../support/portal-database";
import { testCustomerScope } from "../support/customer-scope";

usePortalDatabase("pglite");

const STAFF = {
  kind: "STAFF" as const,
  tenantId: "3f6a9d2e-7b41-4c85-9e12-5a8b0c4d7e61",
  objectId: "00000000-0000-4000-8000-0000000000bb",
  name: "Sam",
};
const ADMIN_ID = "00000000-0000-4000-8000-0000000000aa";

const MONITORED = "7e570000-0000-4000-8000-000000000003"; // one person-run check, then many scheduled ones

async function signIn(tenantId: string, domain: string, invitationId: string | null = null) {
  const { startSession } = await import("@/lib/data/sessions");
  return startSession(
    {
      tenantId,
      objectId: ADMIN_ID,
      name: "Admin",
      userPrincipalName: `admin@${domain}`,
      kind: "customer",
      roles: [],
      tenantAdmin: true,
    },
    invitationId
      ? { source: "INVITATION", sourceTag: null, invitationId }
      : { source: "DIRECT", sourceTag: null, invitationId: null },
    3600,
  );
}

/** An organisation that signed in and consented before any invitation named it; its own tenant per test. */
async function knownTenant(n: number, reference: string | null) {
  const { db } = await import("@/lib/db/client");
  const id = `7e570000-0000-4000-8000-0000000001${String(n).padStart(2, "0")}`;
  const domain = `known${n}.example.com`;
  await signIn(id, domain);
  await db().tenant.update({
    where: { id },
    data: { displayName: `Known ${n} Ltd`, consentState: "GRANTED", customerReference: reference },
  });
  return { id, domain };
}

describe("an invitation for an organisation that is already known", () => {
  it("is recognised at creation by tenant id or domain, naming the organisation, its state and its reference", async () => {
    const { knownTenantForHint } = await import("@/lib/data/support/invitations");
    const known = await knownTenant(1, "OLD-1");
    expect(await knownTenantForHint(known.domain)).toEqual({
      id: known.id,
      name: "Known 1 Ltd",
      stage: "consented",
      stageLabel: "Consented, no environment",
      customerReference: "OLD-1",
    });
    expect(await knownTenantForHint(known.id.toUpperCase())).toMatchObject({ id: known.id, name: "Known 1 Ltd" });
    expect(await knownTenantForHint("unknown.example.com")).toBeNull();
    expect(await knownTenantForHint(null)).toBeNull();
  });

  it("is marked used when the known organisation signs in with it, and its customer reference is applied, audited", async () => {
    const { db } = await import("@/lib/db/client");
    const { createInvitation, listInvitations } = await import("@/lib/data/support/invitations");
    const known = await knownTenant(2, "OLD-2");
    const invitation = await createInvitation(STAFF, {
      tenantHint: known.domain,
      note: null,
      expiresInDays: 7,
      customerReference: "SUB-4242",
    });
    await signIn(known.id, known.domain, invitation.id);

    const row = await db().invitation.findUniqueOrThrow({
      where: { id: invitation.id },
      select: { usedAt: true, usedByTenantId: true },
    });
    expect(row.usedAt).not.toBeNull();
    expect(row.usedByTenantId).toBe(known.id);
    const tenant = await db().tenant.findUniqueOrThrow({
      where: { id: known.id },
      select: { customerReference: true, source: true },
    });
    // The reference is the invitation's; where the tenant came from does not change.
    expect(tenant).toEqual({ customerReference: "SUB-4242", source: "DIRECT" });
    const listed = (await listInvitations()).find((i) => i.id === invitation.id);
    expect(listed).toMatchObject({ status: "used", usedBy: { id: known.id, displayName: "Known 2 Ltd" } });

    const events = await db().auditEvent.findMany({
      where: { tenantId: known.id, action: { in: ["invitation.used", "tenant.customer_reference_set"] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { action: true, actorKind: true, details: true, targetId: true },
    });
    expect(events).toEqual([
      { action: "invitation.used", actorKind: "CUSTOMER", targetId: invitation.id, details: { knownTenant: true } },
      {
        action: "tenant.customer_reference_set",
        actorKind: "CUSTOMER",
        targetId: known.id,
        details: { from: "OLD-2", to: "SUB-4242", invitationId: invitation.id },
      },
    ]);
  });

  it("is used only once: a second sign-in with it changes nothing", async () => {
    const { db } = await import("@/lib/db/client");
    const { createInvitation } = await import("@/lib/data/support/invitations");
    const known = await knownTenant(3, null);
    const invitation = await createInvitation(STAFF, {
      tenantHint: null,
      note: null,
      expiresInDays: 7,
      customerReference: "SUB-1",
    });
    await signIn(known.id, known.domain, invitation.id);
    expect((await db().tenant.findUniqueOrThrow({ where: { id: known.id } })).customerReference).toBe("SUB-1");
    await db().tenant.update({ where: { id: known.id }, data: { customerReference: "SET-BY-STAFF" } });
    await signIn(known.id, known.domain, invitation.id);
    expect((await db().tenant.findUniqueOrThrow({ where: { id: known.id } })).customerReference).toBe("SET-BY-STAFF");
    expect(await db().auditEvent.count({ where: { targetId: invitation.id, action: "invitation.used" } })).toBe(1);
  });

  it("without a reference, it is marked used and the tenant's reference stays", async () => {
    const { db } = await import("@/lib/db/client");
    const { createInvitation } = await import("@/lib/data/support/invitations");
    const known = await knownTenant(4, "KEEP-4");
    const invitation = await createInvitation(STAFF, { tenantHint: null, note: null, expiresInDays: 7 });
    await signIn(known.id, known.domain, invitation.id);
    expect((await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).usedByTenantId).toBe(known.id);
    expect((await db().tenant.findUniqueOrThrow({ where: { id: known.id } })).customerReference).toBe("KEEP-4");
    expect(
      await db().auditEvent.count({ where: { tenantId: known.id, action: "tenant.customer_reference_set" } }),
    ).toBe(0);
  });

  it("also binds to an organisation that disconnected and comes back", async () => {
    const { db } = await import("@/lib/db/client");
    const { disconnectTenant } = await import("@/lib/onboarding/tenant-life");
    const { createInvitation, knownTenantForHint } = await import("@/lib/data/support/invitations");
    const known = await knownTenant(5, null);
    await disconnectTenant(await testCustomerScope(known.id));
    expect(await knownTenantForHint(known.id)).toMatchObject({
      id: known.id,
      stage: "disconnected",
      stageLabel: "Disconnected (its data removed)",
    });
    const invitation = await createInvitation(STAFF, {
      tenantHint: known.id,
      note: null,
      expiresInDays: 7,
      customerReference: "SUB-BACK",
    });
    await signIn(known.id, known.domain, invitation.id);
    expect((await db().invitation.findUniqueOrThrow({ where: { id: invitation.id } })).usedByTenantId).toBe(known.id);
    expect((await db().tenant.findUniqueOrThrow({ where: { id: known.id } })).customerReference).toBe("SUB-BACK");
  });
});

describe("check history keeps what people ran", () => {
  let environmentId = "";
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    const { db } = await import("@/lib/db/client");
    await signIn(MONITORED, "monitored.example.com");
    const env = await db().environment.create({
      data: { tenantId: MONITORED, url: "https://monitored.crm.dynamics.com", createdAt: minutesAgo(60 * 24 * 3) },
      select: { id: true },
    });
    environmentId = env.id;
    const check = (trigger: "CUSTOMER" | "STAFF" | "SCHEDULED", minutes: number) => ({
      tenantId: MONITORED,
      environmentId,
      trigger,
      startedAt: minutesAgo(minutes),
      finishedAt: minutesAgo(minutes),
      outcome: "PASSED" as const,
    });
    // The customer's setup check three days ago, a staff re-run two days ago, then a scheduled check every hour.
    await db().connectionCheck.createMany({
      data: [
        check("CUSTOMER", 60 * 24 * 3 - 5),
        check("STAFF", 60 * 24 * 2),
        ...Array.from({ length: 30 }, (_, i) => check("SCHEDULED", 60 * (i + 1))),
      ],
    });
  });

  it("the customer's page: the newest 10 scheduled checks beside the newest person-run ones, newest first", async () => {
    const { listChecks } = await import("@/lib/data/checks");
    const checks = await listChecks(await testCustomerScope(MONITORED), environmentId);
    expect(checks.map((c) => c.trigger)).toEqual([...Array<string>(10).fill("SCHEDULED"), "STAFF", "CUSTOMER"]);
    const times = checks.map((c) => c.startedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("the check in progress is the history's newest running one, unless it was abandoned", async () => {
    const { runningCheckOf, ABANDONED_CHECK_MS } = await import("@/lib/data/checks");
    const now = Date.now();
    const check = (id: string, outcome: "RUNNING" | "PASSED", msAgo: number) => ({
      id,
      outcome,
      startedAt: new Date(now - msAgo),
    });
    const history = [check("passed", "PASSED", 0), check("newer", "RUNNING", 1_000), check("older", "RUNNING", 2_000)];
    expect(runningCheckOf(history, now)).toBe("newer");
    expect(runningCheckOf([check("abandoned", "RUNNING", ABANDONED_CHECK_MS + 1)], now)).toBeNull();
    expect(runningCheckOf([check("passed", "PASSED", 0)], now)).toBeNull();
  });

  it("keeps at most N of each kind", async () => {
    const { listChecks } = await import("@/lib/data/checks");
    const checks = await listChecks(await testCustomerScope(MONITORED), environmentId, 1);
    expect(checks.map((c) => c.trigger)).toEqual(["SCHEDULED", "STAFF"]);
  });

  it("the console's history: the same rule across the tenant's environments", async () => {
    const { supportCheckHistory } = await import("@/lib/data/support/tenants");
    const checks = await supportCheckHistory(MONITORED);
    expect(checks.filter((c) => c.trigger === "SCHEDULED")).toHaveLength(20);
    expect(checks.slice(-2).map((c) => c.trigger)).toEqual(["STAFF", "CUSTOMER"]);
  });
});

describe("the tenant's audit trail: people's actions apart from scheduled checks", () => {
  const TENANT = "7e570000-0000-4000-8000-000000000004";

  beforeAll(async () => {
    const { audit } = await import("@/lib/audit");
    const { db } = await import("@/lib/db/client");
    await signIn(TENANT, "audited.example.com"); // tenant.created, session.signed_in (the customer)
    await audit({
      actor: STAFF,
      tenantId: TENANT,
      action: "tenant.customer_reference_set",
      target: { type: "tenant", id: TENANT },
      details: { from: null, to: "X" },
    });
    for (let i = 0; i < 25; i++) {
      await audit({
        actor: { kind: "SYSTEM", name: "scheduled re-verification" },
        tenantId: TENANT,
        action: i % 2 ? "check.finished" : "check.started",
      });
    }
    expect(await db().auditEvent.count({ where: { tenantId: TENANT } })).toBe(28);
  });

  it("by default shows only what people did, however many scheduled checks came after", async () => {
    const { supportAuditTrail } = await import("@/lib/data/support/tenants");
    const trail = await supportAuditTrail(TENANT);
    expect(trail.events.map((e) => e.action)).toEqual([
      "tenant.customer_reference_set",
      "session.signed_in",
      "tenant.created",
    ]);
    expect(trail.counts).toEqual({ people: 3, automatic: 25, all: 28 });
  });

  it("shows the scheduled ones, or everything, when asked", async () => {
    const { supportAuditTrail } = await import("@/lib/data/support/tenants");
    const automatic = await supportAuditTrail(TENANT, "automatic");
    expect(automatic.events).toHaveLength(25);
    expect(new Set(automatic.events.map((e) => e.actorKind))).toEqual(new Set(["SYSTEM"]));
    expect((await supportAuditTrail(TENANT, "all")).events).toHaveLength(28);
  });

  it("reads the view from the address, falling back to people's actions", async () => {
    const { auditViewOf } = await import("@/lib/data/support/tenants");
    expect(auditViewOf(undefined)).toBe("people");
    expect(auditViewOf("automatic")).toBe("automatic");
    expect(auditViewOf("all")).toBe("all");
    expect(auditViewOf(["all", "people"])).toBe("people");
    expect(auditViewOf("'; drop")).toBe("people");
  });
});
