/**
 * Admin consent (docs/protocol/entra.md A3): v2 /adminconsent, legacy /adminconsent, v1 authorize with
 * prompt=admin_consent; the service principal appears (after replication) and client credentials
 * start working.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, DEMO_IDS, withSettings } from "@tenant-onboarding/emulator";
import { appToken, Browser, claimsOf, dataverse, REDIRECT_URI, resultParams, secretOf, tokenRequest } from "./helpers";

const CONSENT_REDIRECT = "http://localhost:3000/api/consent/callback";
let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => {
  emu.admin.reset();
});
afterAll(async () => {
  await emu.close();
});

function adminConsentUrl(tenant: string, params: Record<string, string> = {}): string {
  const url = new URL(`${emu.authorityHost}/${tenant}/v2.0/adminconsent`);
  url.searchParams.set("client_id", emu.scenario.app.clientId);
  url.searchParams.set("scope", "https://graph.microsoft.com/.default");
  url.searchParams.set("redirect_uri", CONSENT_REDIRECT);
  url.searchParams.set("state", "consent-state");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

async function contosoToken() {
  return tokenRequest(emu, DEMO_IDS.tenants.contoso, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_secret: secretOf(emu),
    scope: `${emu.environmentUrl("contoso")}/.default`,
  });
}

describe("v2 admin consent endpoint", () => {
  it("Accept by a Global Administrator creates the service principal and redirects with admin_consent=True", async () => {
    expect((await contosoToken()).body.error_codes).toEqual([700016]);
    const browser = new Browser(emu);
    const picker = await browser.open(adminConsentUrl("organizations"));
    const consent = await browser.click(picker, "Sign in as Megan Bowen");
    expect(consent.html).toContain("Permissions requested");
    expect(consent.html).toContain("Accept for your organization");
    const done = await browser.click(consent, "Accept");
    expect(done.status).toBe(302);
    const location = new URL(done.location ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CONSENT_REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(["admin_consent", "tenant", "scope", "state"]);
    expect(location.searchParams.get("admin_consent")).toBe("True");
    expect(location.searchParams.get("tenant")).toBe(DEMO_IDS.tenants.contoso);
    expect(location.searchParams.get("scope")).toBe("https://graph.microsoft.com/.default");
    expect(location.searchParams.get("state")).toBe("consent-state");
    expect((await contosoToken()).status).toBe(200);
    const log = emu.requestLog().filter((e) => e.kind === "entra.consent");
    expect(log.at(-1)).toMatchObject({ tenantId: DEMO_IDS.tenants.contoso, status: 302 });
  });

  it('a non-admin meets "Need admin approval"; returning without consent gives access_denied with AADSTS90094', async () => {
    const browser = new Browser(emu);
    const page = await browser.click(
      await browser.open(adminConsentUrl(DEMO_IDS.tenants.contoso)),
      "Sign in as Lee Gu",
    );
    expect(page.html).toContain("Need admin approval");
    expect(page.html).toContain("Sign in with an admin account");
    const result = resultParams(await browser.click(page, "Return to the application without granting consent"));
    expect(result.get("error")).toBe("access_denied");
    expect(result.get("error_description")).toMatch(/^AADSTS90094: /);
    expect(result.get("state")).toBe("consent-state");
    expect((await contosoToken()).status).toBe(400);
  });

  it('from "Need admin approval" an administrator can still sign in and consent; the bare return is a setting', async () => {
    const browser = new Browser(emu);
    const page = await browser.click(
      await browser.open(adminConsentUrl(DEMO_IDS.tenants.contoso)),
      "Sign in as Lee Gu",
    );
    const picker = await browser.click(page, "Sign in with an admin account");
    const consent = await browser.click(picker, "Sign in as Megan Bowen");
    expect(resultParams(await browser.click(consent, "Accept")).get("admin_consent")).toBe("True");

    emu.admin.reset();
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { needAdminApprovalReturn: "bare" }));
    const bare = new Browser(emu);
    const back = await bare.click(
      await bare.click(await bare.open(adminConsentUrl(DEMO_IDS.tenants.contoso)), "Sign in as Lee Gu"),
      "Return to the application without granting consent",
    );
    expect(back.location).toBe(CONSENT_REDIRECT);
  });

  it("a personal account cannot consent for an organization", async () => {
    const browser = new Browser(emu);
    const result = resultParams(
      await browser.click(await browser.open(adminConsentUrl("common")), "Sign in as Alex Johnson"),
    );
    expect(result.get("error_description")).toMatch(/^AADSTS90094: /);
  });

  it("Cancel on the consent screen: admin_consent=True&error=consent_required with AADSTS65004", async () => {
    const browser = new Browser(emu);
    const consent = await browser.click(
      await browser.open(adminConsentUrl(DEMO_IDS.tenants.contoso)),
      "Sign in as Megan Bowen",
    );
    const done = await browser.click(consent, "Cancel");
    const location = new URL(done.location ?? "");
    expect([...location.searchParams.keys()].slice(0, 2)).toEqual(["admin_consent", "error"]);
    expect(location.searchParams.get("admin_consent")).toBe("True");
    expect(location.searchParams.get("error")).toBe("consent_required");
    expect(location.searchParams.get("error_description")).toMatch(
      /^AADSTS65004: The resource owner or authorization server denied the request\.\r\nTrace ID: /,
    );
    expect(done.location).toContain("AADSTS65004%3A+The+resource+owner");
  });

  it("Cancel on the account picker: error=access_denied&error_subcode=cancel", async () => {
    const browser = new Browser(emu);
    const result = resultParams(
      await browser.click(await browser.open(adminConsentUrl(DEMO_IDS.tenants.contoso)), "Cancel"),
    );
    expect(result.get("error")).toBe("access_denied");
    expect(result.get("error_subcode")).toBe("cancel");
    expect(result.get("state")).toBe("consent-state");
  });

  it("honours the tenant's replication delay after consent (700016 first)", async () => {
    emu.admin.setReplicationDelay("Contoso", 1500);
    const browser = new Browser(emu);
    const consent = await browser.click(
      await browser.open(adminConsentUrl(DEMO_IDS.tenants.contoso)),
      "Sign in as Megan Bowen",
    );
    await browser.click(consent, "Accept");
    expect((await contosoToken()).body.error_codes).toEqual([700016]);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await contosoToken()).status).toBe(200);
  });

  it("validates the redirect URI before anything else (AADSTS50011 page)", async () => {
    const browser = new Browser(emu);
    const page = await browser.open(
      adminConsentUrl(DEMO_IDS.tenants.contoso, { redirect_uri: "https://evil.example.com/" }),
    );
    expect(page.status).toBe(400);
    expect(page.html).toContain("AADSTS50011");
  });
});

describe("legacy admin consent", () => {
  it("/{tenant}/adminconsent returns tenant, state and admin_consent=True", async () => {
    const url = new URL(`${emu.authorityHost}/common/adminconsent`);
    url.searchParams.set("client_id", emu.scenario.app.clientId);
    url.searchParams.set("redirect_uri", CONSENT_REDIRECT);
    url.searchParams.set("state", "legacy");
    const browser = new Browser(emu);
    const consent = await browser.click(await browser.open(url.toString()), "Sign in as Megan Bowen");
    const location = new URL((await browser.click(consent, "Accept")).location ?? "");
    expect([...location.searchParams.entries()]).toEqual([
      ["tenant", DEMO_IDS.tenants.contoso],
      ["state", "legacy"],
      ["admin_consent", "True"],
    ]);
  });

  it("v1 authorize with prompt=admin_consent issues a code and consents for the tenant", async () => {
    const url = new URL(`${emu.authorityHost}/common/oauth2/authorize`);
    url.searchParams.set("client_id", emu.scenario.app.clientId);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("redirect_uri", REDIRECT_URI);
    url.searchParams.set("prompt", "admin_consent");
    url.searchParams.set("state", "v1");
    const browser = new Browser(emu);
    const consent = await browser.click(await browser.open(url.toString()), "Sign in as Megan Bowen");
    expect(consent.html).toContain("Accept for your organization");
    const result = resultParams(await browser.click(consent, "Accept"));
    expect(result.get("code")).toBeTruthy();
    expect(result.get("admin_consent")).toBe("True");
    expect(result.get("state")).toBe("v1");
    expect((await contosoToken()).status).toBe(200);
  });

  it("consent removed: new tokens are refused (400 unauthorized_client, AADSTS700016) while one issued before keeps working until it expires", async () => {
    // Fabrikam is consented and set up in the demo scenario.
    const before = await appToken(emu, DEMO_IDS.tenants.fabrikam, "fabrikam");
    emu.admin.revokeConsent("Fabrikam");
    const refused = await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.environmentUrl("fabrikam")}/.default`,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
    expect(String(refused.body.error_description)).toMatch(
      /^AADSTS700016: Application with identifier '.+' was not found in the directory/,
    );
    // Microsoft: existing access tokens stay valid for their lifetime (docs/protocol/entra.md "Consent removed").
    expect((await dataverse(emu, "fabrikam", "/api/data/v9.2/WhoAmI", before)).status).toBe(200);
  });

  it("application permissions removed, enterprise application kept: tokens are still issued, the app's own carries no role", async () => {
    const self = () =>
      tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
        grant_type: "client_credentials",
        client_id: emu.scenario.app.clientId,
        client_secret: secretOf(emu),
        scope: `${emu.scenario.app.clientId}/.default`,
      });
    expect(claimsOf(String((await self()).body.access_token)).roles).toEqual(["Tenant.Connect"]);
    emu.admin.revokeApplicationPermissions("Fabrikam");
    const after = await self();
    expect(after.status).toBe(200);
    expect(claimsOf(String(after.body.access_token)).roles).toBeUndefined();
    expect(
      (
        await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
          grant_type: "client_credentials",
          client_id: emu.scenario.app.clientId,
          client_secret: secretOf(emu),
          scope: `${emu.environmentUrl("fabrikam")}/.default`,
        })
      ).status,
    ).toBe(200);
  });

  it("revoking consent brings back 700016", async () => {
    emu.admin.grantConsent("Contoso");
    expect((await contosoToken()).status).toBe(200);
    emu.admin.revokeConsent("contoso.onmicrosoft.com");
    expect((await contosoToken()).body.error_codes).toEqual([700016]);
  });
});

describe("application permissions: only an administrator's consent grants them (docs/protocol/entra.md)", () => {
  const selfToken = (tenant: string) =>
    tokenRequest(emu, tenant, {
      grant_type: "client_credentials",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      scope: `api://${emu.scenario.app.clientId}/.default`,
    });
  const rolesOf = (token: unknown) =>
    (JSON.parse(Buffer.from(String(token).split(".")[1] ?? "", "base64url").toString()) as { roles?: string[] }).roles;

  it("a user's own consent creates the service principal but the app's token carries no application role", async () => {
    const browser = new Browser(emu);
    const authorize = new URL(`${emu.authorityHost}/${DEMO_IDS.tenants.contoso}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: emu.scenario.app.clientId,
      response_type: "code",
      redirect_uri: REDIRECT_URI,
      scope: "openid profile",
      state: "s",
      nonce: "n",
    }))
      authorize.searchParams.set(k, v);
    const consent = await browser.click(await browser.open(authorize.toString()), "Sign in as Lee Gu");
    expect(resultParams(await browser.click(consent, "Accept")).get("code")).toBeTruthy();
    const token = await selfToken(DEMO_IDS.tenants.contoso);
    expect(token.status).toBe(200);
    expect(rolesOf(token.body.access_token)).toBeUndefined();
  });

  it("after admin consent the token for the app's own resource carries Tenant.Connect; after revocation there is no token", async () => {
    emu.admin.grantConsent("Contoso");
    const token = await selfToken(DEMO_IDS.tenants.contoso);
    expect(rolesOf(token.body.access_token)).toEqual(["Tenant.Connect"]);
    // Dataverse tokens never carry the app's roles.
    const dataverseToken = await contosoToken();
    expect(rolesOf(dataverseToken.body.access_token)).toBeUndefined();
    emu.admin.revokeConsent("Contoso");
    expect((await selfToken(DEMO_IDS.tenants.contoso)).body.error_codes).toEqual([700016]);
  });
});

describe("replication after consent", () => {
  it("answers 700016 by default, or 7000229 (service principal missing) when the scenario says so, until replicated", async () => {
    emu.admin.grantConsent("Contoso", { replicationDelayMs: 60_000 });
    expect((await contosoToken()).body.error_codes).toEqual([700016]);
    emu.admin.reset();
    emu.admin.replaceScenario(withSettings(emu.admin.state().scenario, { replicationErrorCode: 7000229 }));
    emu.admin.grantConsent("Contoso", { replicationDelayMs: 60_000 });
    const replicating = await contosoToken();
    expect(replicating.status).toBe(401);
    expect(replicating.body).toMatchObject({ error: "invalid_client", error_codes: [7000229] });
    expect(String(replicating.body.error_description)).toMatch(
      /^AADSTS7000229: The client application .* is missing service principal in the tenant/,
    );
  });
});

describe("required resources", () => {
  it("consent fails with AADSTS650052 when the registration requires Dynamics CRM and the tenant has no Dataverse", async () => {
    const scenario = structuredClone(emu.admin.state().scenario);
    scenario.app.requiredPermissions.push({
      resource: "Dynamics CRM",
      permission: "user_impersonation",
      description: "Access Dataverse as organization users",
      adminOnly: false,
    });
    emu.admin.replaceScenario(scenario);
    const browser = new Browser(emu);
    const consent = await browser.click(await browser.open(adminConsentUrl(DEMO_IDS.tenants.tailspin)), "Sign in as");
    const result = resultParams(await browser.click(consent, "Accept"));
    expect(result.get("admin_consent")).toBe("True");
    expect(result.get("error_description")).toMatch(/^AADSTS650052: /);
    // The demo registration requires no Dynamics CRM permission: the same tenant can consent.
    emu.admin.reset();
    const ok = new Browser(emu);
    const accepted = resultParams(
      await ok.click(await ok.click(await ok.open(adminConsentUrl(DEMO_IDS.tenants.tailspin)), "Sign in as"), "Accept"),
    );
    expect(accepted.get("admin_consent")).toBe("True");
    expect(accepted.get("error")).toBeNull();
  });
});
