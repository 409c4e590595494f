/**
 * Tokens for the portal's own API (docs/protocol/entra.md "The portal's own API"): client apps get
 * client-credentials tokens for `api://<client id>/.default` in their home tenant only, v2.0 because the API's
 * manifest asks for it (aud = the API's client id, iss = the tenant's v2 issuer, azp), with the Application roles
 * granted to them; an unknown Application ID URI is 500011.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, DEMO_IDS } from "@tenant-onboarding/emulator";
import { claimsOf, headerOf, tokenRequest } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

const client = (id: string) => {
  const app = emu.scenario.clientApps.find((c) => c.clientId === id);
  if (!app) throw new Error(`no client app ${id}`);
  return app;
};

const request = (tenant: string, clientId: string, scope = `api://${DEMO_IDS.clientId}/.default`) =>
  tokenRequest(emu, tenant, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: client(clientId).secrets[0]!.value,
    scope,
  });

describe("client apps of the portal's API", () => {
  it("the back end gets a v2.0 token in the home tenant: aud = the API's client id, v2 issuer, azp, Connections.Read", async () => {
    const result = await request(DEMO_IDS.tenants.northwind, DEMO_IDS.clientApps.backEnd);
    expect(result.status).toBe(200);
    const token = result.body.access_token as string;
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      aud: DEMO_IDS.clientId,
      iss: `${emu.authorityHost}/${DEMO_IDS.tenants.northwind}/v2.0`,
      azp: DEMO_IDS.clientApps.backEnd,
      azpacr: "1",
      tid: DEMO_IDS.tenants.northwind,
      roles: ["Connections.Read"],
      ver: "2.0",
    });
    expect(claims.appid).toBeUndefined();
    expect(claims.sub).toBe(claims.oid);
    expect(headerOf(token).x5t).toBeUndefined();
  });

  it("the bare client id names the API too; an app without the role gets a token without roles", async () => {
    const result = await request(
      DEMO_IDS.tenants.northwind,
      DEMO_IDS.clientApps.noRole,
      `${DEMO_IDS.clientId}/.default`,
    );
    expect(result.status).toBe(200);
    expect(claimsOf(result.body.access_token as string).roles).toBeUndefined();
  });

  it("an app of another tenant gets that tenant's token (its issuer), and none in the ISV's tenant", async () => {
    const own = await request(DEMO_IDS.tenants.fabrikam, DEMO_IDS.clientApps.foreign);
    expect(own.status).toBe(200);
    expect(claimsOf(own.body.access_token as string)).toMatchObject({
      iss: `${emu.authorityHost}/${DEMO_IDS.tenants.fabrikam}/v2.0`,
      roles: ["Connections.Read"],
    });
    const elsewhere = await request(DEMO_IDS.tenants.northwind, DEMO_IDS.clientApps.foreign);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error_codes).toEqual([700016]);
  });

  it("an Application ID URI the app does not expose is 500011; a wrong secret is 7000215", async () => {
    const unknown = await request(
      DEMO_IDS.tenants.northwind,
      DEMO_IDS.clientApps.backEnd,
      "api://not-the-portal/.default",
    );
    expect(unknown.body.error_codes).toEqual([500011]);
    const wrongSecret = await tokenRequest(emu, DEMO_IDS.tenants.northwind, {
      grant_type: "client_credentials",
      client_id: DEMO_IDS.clientApps.backEnd,
      client_secret: "wrong",
      scope: `api://${DEMO_IDS.clientId}/.default`,
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error_codes).toEqual([7000215]);
  });

  it("the portal's own token for its API carries only what its registration requires (Tenant.Connect), v2.0", async () => {
    const result = await tokenRequest(emu, DEMO_IDS.tenants.northwind, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: emu.scenario.app.secrets[0]!.value,
      scope: `${DEMO_IDS.clientId}/.default`,
    });
    expect(claimsOf(result.body.access_token as string)).toMatchObject({
      roles: ["Tenant.Connect"],
      azp: DEMO_IDS.clientId,
      ver: "2.0",
    });
  });
});
