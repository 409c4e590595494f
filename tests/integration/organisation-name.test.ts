// A customer tenant's organisation name from (emulated) Microsoft Graph: read app-only in the ISV's own tenant,
// stored once and audited; when Graph refuses or cannot be reached the domain stays, with one warning line.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";
import { config } from "@/lib/config";

const h = useCheckHarness("pglite");

async function freshTenant(id: string, domain: string) {
  const { db } = await import("@/lib/db/client");
  await db().auditEvent.deleteMany({ where: { tenantId: id } });
  await db().tenant.deleteMany({ where: { id } });
  await db().tenant.create({ data: { id, displayName: domain, primaryDomain: domain } });
}

async function resolve(id: string) {
  const { resolveOrganisationName } = await import("@/lib/entra/organisation-name");
  const { systemScope } = await import("@/lib/data/scope");
  return resolveOrganisationName(systemScope(id, "organisation name"));
}

async function tenantRow(id: string) {
  const { db } = await import("@/lib/db/client");
  return db().tenant.findUniqueOrThrow({
    where: { id },
    select: { displayName: true, primaryDomain: true, displayNameResolvedAt: true },
  });
}

/** The portal's own warning about the name (the transport's line about a failed call is counted apart). */
async function nameWarnings() {
  const { logger } = await import("@/lib/log");
  const spy = vi.spyOn(logger(), "warn");
  return () =>
    spy.mock.calls
      .filter((call) => call[1] === "organisation name not read from Microsoft Graph; the domain is shown")
      .map((call) => call[0]);
}

describe("organisation names from Microsoft Graph", () => {
  beforeEach(async () => {
    h.emulator.admin.reset();
    await forgetTokens(DEMO_IDS.tenants.northwind);
    vi.restoreAllMocks();
  });

  it("reads the name once, stores it beside the domain and audits it; a second call asks Graph nothing", async () => {
    await freshTenant(DEMO_IDS.tenants.contoso, "contoso.onmicrosoft.com");
    expect(await resolve(DEMO_IDS.tenants.contoso)).toEqual({ resolved: true, displayName: "Contoso Ltd" });
    const row = await tenantRow(DEMO_IDS.tenants.contoso);
    expect(row).toMatchObject({ displayName: "Contoso Ltd", primaryDomain: "contoso.onmicrosoft.com" });
    expect(row.displayNameResolvedAt).toBeInstanceOf(Date);
    const { db } = await import("@/lib/db/client");
    const events = await db().auditEvent.findMany({
      where: { tenantId: DEMO_IDS.tenants.contoso, action: "tenant.name_resolved" },
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({ displayName: "Contoso Ltd", previous: "contoso.onmicrosoft.com" });
    // The Graph call was app-only in the ISV's own tenant.
    const graphCalls = () => h.emulator.requestLog().filter((e) => e.kind === "graph");
    expect(graphCalls()).toHaveLength(1);
    expect(graphCalls()[0]?.tokenTid).toBe(DEMO_IDS.tenants.northwind);
    expect(await resolve(DEMO_IDS.tenants.contoso)).toEqual({ resolved: false, reason: "already" });
    expect(graphCalls()).toHaveLength(1);
  });

  it("keeps the domain when Graph refuses (no CrossTenantInformation.ReadBasic.All): one warning, no error", async () => {
    await freshTenant(DEMO_IDS.tenants.fabrikam, "fabrikam.onmicrosoft.com");
    const app = h.emulator.scenario.app;
    const granted = app.graphApplicationPermissions;
    app.graphApplicationPermissions = [];
    const warned = await nameWarnings();
    try {
      expect(await resolve(DEMO_IDS.tenants.fabrikam)).toEqual({ resolved: false, reason: "refused" });
    } finally {
      app.graphApplicationPermissions = granted;
    }
    expect(await tenantRow(DEMO_IDS.tenants.fabrikam)).toMatchObject({
      displayName: "fabrikam.onmicrosoft.com",
      displayNameResolvedAt: null,
    });
    expect(warned()).toHaveLength(1);
    expect(warned()[0]).toMatchObject({
      tenantId: DEMO_IDS.tenants.fabrikam,
      reason: "refused",
      detail: "Graph answered 403 Authorization_RequestDenied",
    });
    // Granted later: the next attempt (the next sign-in) reads it.
    await forgetTokens(DEMO_IDS.tenants.northwind);
    expect(await resolve(DEMO_IDS.tenants.fabrikam)).toEqual({ resolved: true, displayName: "Fabrikam, Inc." });
  });

  it("keeps the domain when Graph cannot be reached, and for a tenant Graph does not know", async () => {
    await freshTenant(DEMO_IDS.tenants.adventureWorks, "adventureworks.onmicrosoft.com");
    const c = config();
    const graphUrl = c.graphUrl;
    const warned = await nameWarnings();
    // Graph's host with a port nothing listens on: the token is issued (the resource is Graph), the call fails.
    c.graphUrl = "https://graph.localhost:1";
    try {
      expect(await resolve(DEMO_IDS.tenants.adventureWorks)).toEqual({ resolved: false, reason: "unreachable" });
    } finally {
      c.graphUrl = graphUrl;
    }
    expect(warned()).toEqual([
      expect.objectContaining({ tenantId: DEMO_IDS.tenants.adventureWorks, reason: "unreachable" }),
    ]);
    expect(await tenantRow(DEMO_IDS.tenants.adventureWorks)).toMatchObject({
      displayName: "adventureworks.onmicrosoft.com",
      displayNameResolvedAt: null,
    });

    const unknown = "0e1d2c3b-4a59-4867-8756-a4b3c2d1e0f9";
    await freshTenant(unknown, "unknown.example.com");
    expect(await resolve(unknown)).toEqual({ resolved: false, reason: "not-found" });
    expect(await tenantRow(unknown)).toMatchObject({ displayName: "unknown.example.com", displayNameResolvedAt: null });
  });
});
