/**
 * The emulated Microsoft Graph's directory objects (docs/protocol/graph.md): the app registration, its service
 * principals, who holds its roles and what its home tenant granted — strict as Microsoft about who may read what.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, DEMO_IDS, demoScenario, registrationScenario } from "@tenant-onboarding/emulator";
import type { EmulatorHandle, Scenario } from "@tenant-onboarding/emulator";
import { claimsOf, secretOf, tokenRequest, vfetch } from "./helpers";

const GRAPH = "00000003-0000-0000-c000-000000000000";
const HOME = DEMO_IDS.tenants.northwind;
const CLIENT = DEMO_IDS.clientId;

type Json = Record<string, unknown> & {
  value?: Array<Record<string, unknown>>;
  error?: { code: string; message: string };
};

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ scenario: demoScenario() });
});
afterAll(async () => {
  await emu.close();
});

async function graphToken(e: EmulatorHandle, tenant = HOME): Promise<string> {
  const result = await tokenRequest(e, tenant, {
    grant_type: "client_credentials",
    client_id: CLIENT,
    client_secret: secretOf(e),
    scope: `${e.graphUrl}/.default`,
  });
  expect(result.status).toBe(200);
  return String(result.body.access_token);
}

async function get(
  e: EmulatorHandle,
  path: string,
  token?: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json }> {
  const response = await vfetch(path.startsWith("https://") ? path : `${e.graphUrl}/v1.0${path}`, {
    method: init.method ?? "GET",
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function withEmulator<T>(scenario: Scenario, run: (e: EmulatorHandle) => Promise<T>): Promise<T> {
  const e = await startEmulator({ scenario });
  try {
    return await run(e);
  } finally {
    await e.close();
  }
}

describe("Graph directory: the app registration", () => {
  it("lets the app read its own application and service principal without any permission, and nothing else", async () => {
    const bare = demoScenario();
    bare.app.graphApplicationPermissions = [];
    bare.tenants.find((t) => t.id === HOME)!.graphAppRoleAssignments = [];
    await withEmulator(bare, async (e) => {
      const token = await graphToken(e);
      expect(claimsOf(token).roles).toBeUndefined();
      const app = await get(e, `/applications(appId='${CLIENT}')`, token);
      expect(app.status).toBe(200);
      expect(app.body).toMatchObject({
        appId: CLIENT,
        signInAudience: "AzureADMultipleOrgs",
        spa: { redirectUris: [] },
      });
      expect(app.body["@odata.context"]).toBe(`${e.graphUrl}/v1.0/$metadata#applications/$entity`);
      expect((app.body.web as { redirectUris: string[] }).redirectUris).toContain(
        "http://localhost:3000/consent/callback",
      );
      expect((app.body.appRoles as Array<{ value: string; isEnabled: boolean }>).map((r) => r.value).sort()).toEqual([
        "Connections.Read",
        "Support.Admin",
        "Support.Operator",
        "Tenant.Connect",
      ]);
      // A certificate's key only when keyCredentials is selected (G-7); a secret's value never.
      expect((app.body.keyCredentials as Array<{ key: unknown }>)[0]!.key).toBeNull();
      expect((app.body.passwordCredentials as Array<{ secretText: unknown; hint: string }>)[0]).toMatchObject({
        secretText: null,
        hint: secretOf(e).slice(0, 3),
      });
      const selected = await get(e, `/applications(appId='${CLIENT}')?$select=id,keyCredentials`, token);
      expect(Object.keys(selected.body).sort()).toEqual(["@odata.context", "id", "keyCredentials"]);
      expect((selected.body.keyCredentials as Array<{ key: string }>)[0]!.key).toMatch(/^MII/);

      expect((await get(e, `/servicePrincipals(appId='${CLIENT}')`, token)).status).toBe(200);
      for (const path of [
        `/servicePrincipals(appId='${GRAPH}')`,
        `/applications`,
        `/servicePrincipals(appId='${CLIENT}')/appRoleAssignedTo`,
        `/oauth2PermissionGrants`,
      ]) {
        const denied = await get(e, path, token);
        expect(denied.status, path).toBe(403);
        expect(denied.body.error).toEqual({
          code: "Authorization_RequestDenied",
          message: "Insufficient privileges to complete the operation.",
          innerError: expect.any(Object),
        });
      }
    });
  });

  it("lists who holds the app's roles, what its service principal was granted, and the delegated grants", async () => {
    const token = await graphToken(emu);
    const sp = (await get(emu, `/servicePrincipals(appId='${CLIENT}')`, token)).body;
    const holders = await get(emu, `/servicePrincipals/${String(sp.id)}/appRoleAssignedTo`, token);
    expect(holders.status).toBe(200);
    const roleName = (id: unknown) =>
      (sp.appRoles as Array<{ id: string; value: string }>).find((r) => r.id === id)?.value;
    const held = holders.body
      .value!.map((a) => `${String(a.principalType)}:${String(a.principalDisplayName)}:${roleName(a.appRoleId)}`)
      .sort();
    expect(held).toEqual([
      "ServicePrincipal:Northwind Sync Back End:Connections.Read",
      "ServicePrincipal:Northwind Sync:Tenant.Connect",
      "User:Olivia Martin:Support.Operator",
      "User:Sam Taylor:Support.Admin",
      "User:Sam Taylor:Support.Operator",
    ]);

    const graphSp = (await get(emu, `/servicePrincipals?$filter=appId eq '${GRAPH}'`, token)).body.value![0]!;
    const granted = await get(emu, `/servicePrincipals/${String(sp.id)}/appRoleAssignments`, token);
    const graphRoles = granted.body
      .value!.filter((a) => a.resourceId === graphSp.id)
      .map((a) => (graphSp.appRoles as Array<{ id: string; value: string }>).find((r) => r.id === a.appRoleId)?.value);
    expect(graphRoles.sort()).toEqual([
      "Application.Read.All",
      "CrossTenantInformation.ReadBasic.All",
      "Directory.Read.All",
    ]);

    const grants = await get(
      emu,
      `/oauth2PermissionGrants?$filter=clientId eq '${String(sp.id)}' and consentType eq 'AllPrincipals'`,
      token,
    );
    expect(grants.status).toBe(200);
    expect(grants.body.value).toEqual([
      expect.objectContaining({
        clientId: sp.id,
        consentType: "AllPrincipals",
        principalId: null,
        resourceId: graphSp.id,
        scope: "User.Read",
      }),
    ]);
  });

  it("pages with $top and @odata.nextLink", async () => {
    const token = await graphToken(emu);
    const pages: number[] = [];
    let url: string | undefined = `/servicePrincipals(appId='${CLIENT}')/appRoleAssignedTo?$top=2`;
    while (url) {
      const page = await get(emu, url, token);
      expect(page.status).toBe(200);
      pages.push(page.body.value!.length);
      url = page.body["@odata.nextLink"] as string | undefined;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect((await get(emu, `/servicePrincipals(appId='${CLIENT}')/appRoleAssignedTo?$top=1000`, token)).status).toBe(
      400,
    );
  });

  it("answers wrong requests as Graph does", async () => {
    const token = await graphToken(emu);
    expect((await get(emu, `/applications(appId='${CLIENT}')`)).status).toBe(401);
    const idSlot = await get(emu, `/applications/${CLIENT}`, token);
    expect(idSlot.status).toBe(404);
    expect(idSlot.body.error).toMatchObject({
      code: "Request_ResourceNotFound",
      message: `Resource '${CLIENT}' does not exist or one of its queried reference-property objects are not present.`,
    });
    const malformed = await get(emu, `/applications(appId='not-a-guid')`, token);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.message).toContain("Invalid value specified for object reference property 'appId'");
    expect((await get(emu, `/applications?$filter=appId ne '${CLIENT}'`, token)).body.error?.code).toBe(
      "Request_UnsupportedQuery",
    );
    expect((await get(emu, `/applications?$filter=appId eq`, token)).body.error?.code).toBe("Request_BadRequest");
    expect((await get(emu, `/applications(appId='${CLIENT}')?$select=nope`, token)).body.error).toMatchObject({
      code: "Request_BadRequest",
      message: "Invalid $select properties.",
    });
    expect((await get(emu, `/applications?$expand=owners`, token)).status).toBe(400);
    expect((await get(emu, `/applications(appId='${CLIENT}')`, token, { method: "DELETE" })).status).toBe(405);
    const empty = await get(emu, `/applications?$filter=appId eq '${DEMO_IDS.tenants.contoso}'`, token);
    expect(empty).toMatchObject({ status: 200, body: { value: [] } });
  });

  it("shows only what the tenant granted: a permission not granted is in neither the token nor the grants", async () => {
    await withEmulator(
      registrationScenario("graph-permission-not-granted", { portalUrl: "https://onboarding.example.com" }),
      async (e) => {
        const token = await graphToken(e);
        expect(claimsOf(token).roles).toEqual(["Application.Read.All", "Directory.Read.All"]);
        const sp = (await get(e, `/servicePrincipals(appId='${CLIENT}')`, token)).body;
        const app = (await get(e, `/applications(appId='${CLIENT}')`, token)).body;
        const required = (
          app.requiredResourceAccess as Array<{
            resourceAppId: string;
            resourceAccess: Array<{ id: string; type: string }>;
          }>
        ).find((r) => r.resourceAppId === GRAPH)!;
        expect(required.resourceAccess).toContainEqual({ id: "cac88765-0581-4025-9725-5ebc13f729ee", type: "Role" });
        const granted = (await get(e, `/servicePrincipals/${String(sp.id)}/appRoleAssignments`, token)).body.value!.map(
          (a) => a.appRoleId,
        );
        expect(granted).not.toContain("cac88765-0581-4025-9725-5ebc13f729ee");
      },
    );
  });
});
