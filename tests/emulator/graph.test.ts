/**
 * The emulated Microsoft Graph (docs/protocol/entra.md "Organisation names"): findTenantInformationByTenantId, called
 * app-only from the ISV's home tenant with CrossTenantInformation.ReadBasic.All in `roles`; strict about the token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, DEMO_IDS, demoScenario } from "@tenant-onboarding/emulator";
import type { EmulatorHandle } from "@tenant-onboarding/emulator";
import { claimsOf, secretOf, tokenRequest, vfetch } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({ scenario: demoScenario() });
});
afterAll(async () => {
  await emu.close();
});

async function graphToken(tenant: string, resource = emu.graphUrl): Promise<string> {
  const result = await tokenRequest(emu, tenant, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_secret: secretOf(emu),
    scope: `${resource}/.default`,
  });
  expect(result.status).toBe(200);
  return String(result.body.access_token);
}

const findUrl = (id: string) =>
  `${emu.graphUrl}/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='${id}')`;
const get = (url: string, token?: string) =>
  vfetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe("findTenantInformationByTenantId", () => {
  it("answers the home tenant's app-only token holding CrossTenantInformation.ReadBasic.All with the organisation's name and domain", async () => {
    const token = await graphToken(DEMO_IDS.tenants.northwind);
    // The registration's permission (consented) and, assigned directly in the home tenant, the doctor's read permissions.
    expect(claimsOf(token).roles).toEqual([
      "CrossTenantInformation.ReadBasic.All",
      "Application.Read.All",
      "Directory.Read.All",
    ]);
    const response = await get(findUrl(DEMO_IDS.tenants.contoso), token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      tenantId: DEMO_IDS.tenants.contoso,
      displayName: "Contoso Ltd",
      defaultDomainName: "contoso.onmicrosoft.com",
      federationBrandName: null,
    });
  });

  it("401 InvalidAuthenticationToken without a token, with a forged one or one for another resource", async () => {
    const none = await get(findUrl(DEMO_IDS.tenants.contoso));
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("InvalidAuthenticationToken");
    const token = await graphToken(DEMO_IDS.tenants.northwind);
    const forged = await get(findUrl(DEMO_IDS.tenants.contoso), `${token.slice(0, -4)}AAAA`);
    expect(forged.status).toBe(401);
    const other = await graphToken(DEMO_IDS.tenants.fabrikam, emu.environmentUrl("fabrikam"));
    const wrongAudience = await get(findUrl(DEMO_IDS.tenants.contoso), other);
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.json()).toMatchObject({
      error: { code: "InvalidAuthenticationToken", message: "Access token validation failure. Invalid audience." },
    });
  });

  it("403 Authorization_RequestDenied in Graph's shape when the token lacks the permission (not on the registration)", async () => {
    const bare = demoScenario();
    bare.app.graphApplicationPermissions = [];
    bare.tenants.find((t) => t.id === DEMO_IDS.tenants.northwind)!.graphAppRoleAssignments = [];
    const other = await startEmulator({ scenario: bare });
    try {
      const result = await tokenRequest(other, DEMO_IDS.tenants.northwind, {
        grant_type: "client_credentials",
        client_id: other.scenario.app.clientId,
        client_secret: secretOf(other),
        scope: `${other.graphUrl}/.default`,
      });
      const token = String(result.body.access_token);
      expect(claimsOf(token).roles).toBeUndefined();
      const response = await vfetch(
        `${other.graphUrl}/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='${DEMO_IDS.tenants.contoso}')`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status).toBe(403);
      const body = (await response.json()) as {
        error: { code: string; message: string; innerError: Record<string, string> };
      };
      expect(body.error.code).toBe("Authorization_RequestDenied");
      expect(body.error.message).toBe("Insufficient privileges to complete the operation.");
      expect(body.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await other.close();
    }
  });

  it("404 for an unknown tenant (and for the personal-account tenant), 400 for a malformed id", async () => {
    const token = await graphToken(DEMO_IDS.tenants.northwind);
    expect((await get(findUrl("0e1d2c3b-4a59-4867-8756-a4b3c2d1e0f9"), token)).status).toBe(404);
    expect((await get(findUrl(DEMO_IDS.tenants.consumers), token)).status).toBe(404);
    expect((await get(findUrl("contoso"), token)).status).toBe(400);
  });
});
