/**
 * @azure/msal-node is the judge: client credentials with a secret and with a certificate (RS256 +
 * x5t and PS256 + x5t#S256), several tenants with separate clients and caches, and the
 * authorization-code flow with PKCE through the emulated sign-in page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import type { Configuration } from "@azure/msal-node";
import { startEmulator, type EmulatorHandle, DEMO_IDS } from "@tenant-onboarding/emulator";
import { Browser, claimsOf, dataverse, headerOf, REDIRECT_URI, resultParams } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

function msalConfig(tenant: string, credential: Partial<Configuration["auth"]>): Configuration {
  return {
    auth: {
      clientId: emu.scenario.app.clientId,
      authority: `${emu.authorityHost}/${tenant}`,
      knownAuthorities: [new URL(emu.authorityHost).host],
      ...credential,
    },
  };
}

function secretClient(tenant: string): ConfidentialClientApplication {
  return new ConfidentialClientApplication(
    msalConfig(tenant, { clientSecret: emu.scenario.app.secrets[0]?.value ?? "" }),
  );
}

function certificate() {
  const cert = emu.scenario.app.certificates[0];
  if (!cert?.privateKeyPem) throw new Error("no certificate");
  return cert as typeof cert & { privateKeyPem: string };
}

describe("MSAL client credentials", () => {
  it("gets a v1 app-only Dataverse token with a client secret", async () => {
    const fabrikam = DEMO_IDS.tenants.fabrikam;
    const resource = emu.environmentUrl("fabrikam");
    const result = await secretClient(fabrikam).acquireTokenByClientCredential({ scopes: [`${resource}/.default`] });
    expect(result?.accessToken).toBeTruthy();
    const token = result?.accessToken ?? "";
    const header = headerOf(token);
    expect(header).toMatchObject({ typ: "JWT", alg: "RS256" });
    expect(header.kid).toBe(header.x5t);
    const claims = claimsOf(token);
    const tenant = emu.scenario.tenants.find((t) => t.id === fabrikam);
    expect(claims).toMatchObject({
      aud: resource,
      iss: `https://sts.windows.net/${fabrikam}/`,
      appid: emu.scenario.app.clientId,
      appidacr: "1",
      idp: `https://sts.windows.net/${fabrikam}/`,
      idtyp: "app",
      oid: tenant?.servicePrincipalObjectId,
      sub: tenant?.servicePrincipalObjectId,
      tid: fabrikam,
      ver: "1.0",
    });
    expect(claims.roles).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(3599);
    const whoAmI = await dataverse(emu, "fabrikam", "/api/data/v9.2/WhoAmI", token);
    expect(whoAmI.status).toBe(200);
  });

  it("serves a repeated request from MSAL's cache", async () => {
    const client = secretClient(DEMO_IDS.tenants.fabrikam);
    const scopes = [`${emu.environmentUrl("fabrikam")}/.default`];
    emu.admin.clearRequestLog();
    const first = await client.acquireTokenByClientCredential({ scopes });
    const second = await client.acquireTokenByClientCredential({ scopes });
    expect(second?.accessToken).toBe(first?.accessToken);
    expect(second?.fromCache).toBe(true);
    expect(emu.requestLog().filter((e) => e.kind === "entra.token")).toHaveLength(1);
  });

  it("authenticates with a certificate: RS256 + x5t (SHA-1 thumbprint)", async () => {
    const cert = certificate();
    emu.admin.clearRequestLog();
    const client = new ConfidentialClientApplication(
      msalConfig(DEMO_IDS.tenants.fabrikam, {
        clientCertificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.privateKeyPem },
      }),
    );
    const result = await client.acquireTokenByClientCredential({
      scopes: [`${emu.environmentUrl("fabrikam")}/.default`],
    });
    expect(claimsOf(result?.accessToken ?? "").appidacr).toBe("2");
    const entry = emu.requestLog().find((e) => e.kind === "entra.token");
    expect(entry).toMatchObject({
      clientAuth: "private_key_jwt",
      grantType: "client_credentials",
      tenantId: DEMO_IDS.tenants.fabrikam,
      status: 200,
    });
  });

  it("authenticates with a certificate: PS256 + x5t#S256", async () => {
    const cert = certificate();
    const client = new ConfidentialClientApplication(
      msalConfig(DEMO_IDS.tenants.fabrikam, {
        clientCertificate: {
          thumbprintSha256: cert.thumbprintSha256,
          privateKey: cert.privateKeyPem,
          x5c: cert.certPem,
        },
      }),
    );
    const result = await client.acquireTokenByClientCredential({
      scopes: [`${emu.environmentUrl("fabrikam", { api: true })}/.default`],
    });
    const claims = claimsOf(result?.accessToken ?? "");
    expect(claims.appidacr).toBe("2");
    expect(claims.aud).toBe(emu.environmentUrl("fabrikam", { api: true }));
  });

  it("keeps tenants apart with one client per tenant", async () => {
    const fabrikam = secretClient(DEMO_IDS.tenants.fabrikam);
    const adventure = secretClient(DEMO_IDS.tenants.adventureWorks);
    const [a, b] = await Promise.all([
      fabrikam.acquireTokenByClientCredential({ scopes: [`${emu.environmentUrl("fabrikam")}/.default`] }),
      adventure.acquireTokenByClientCredential({ scopes: [`${emu.environmentUrl("adventureworks")}/.default`] }),
    ]);
    expect(claimsOf(a?.accessToken ?? "").tid).toBe(DEMO_IDS.tenants.fabrikam);
    expect(claimsOf(b?.accessToken ?? "").tid).toBe(DEMO_IDS.tenants.adventureWorks);
  });

  it("surfaces AADSTS700016 for a tenant that has not consented", async () => {
    const error = await secretClient(DEMO_IDS.tenants.contoso)
      .acquireTokenByClientCredential({ scopes: [`${emu.environmentUrl("contoso")}/.default`] })
      .then(
        () => undefined,
        (e: unknown) => e as { errorCode?: string; errorMessage?: string },
      );
    expect(error?.errorCode).toBe("unauthorized_client");
    expect(error?.errorMessage).toContain("AADSTS700016");
    expect(error?.errorMessage).toContain("Contoso");
  });

  it("surfaces AADSTS7000215 for a wrong secret", async () => {
    const client = new ConfidentialClientApplication(
      msalConfig(DEMO_IDS.tenants.fabrikam, { clientSecret: emu.scenario.app.secrets[0]?.keyId ?? "" }),
    );
    const error = await client
      .acquireTokenByClientCredential({ scopes: [`${emu.environmentUrl("fabrikam")}/.default`] })
      .then(
        () => undefined,
        (e: unknown) => e as { errorCode?: string; errorMessage?: string },
      );
    expect(error?.errorCode).toBe("invalid_client");
    expect(error?.errorMessage).toContain("AADSTS7000215");
  });
});

describe("MSAL authorization code flow with PKCE", () => {
  it("signs in a staff user of the home tenant and returns the app roles", async () => {
    const client = secretClient(DEMO_IDS.tenants.northwind);
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await client.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: REDIRECT_URI,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
      state: "msal-state",
      nonce: "msal-nonce",
    });
    const browser = new Browser(emu);
    const picker = await browser.open(url);
    expect(picker.status).toBe(200);
    const labels = browser.buttonLabels(picker);
    expect(labels).toContain("Sign in as Sam Taylor (sam.support@northwind.onmicrosoft.com)");
    expect(labels.some((l) => l.includes("contoso"))).toBe(false);
    const result = resultParams(await browser.click(picker, "Sign in as Sam Taylor"));
    expect(result.get("state")).toBe("msal-state");
    const token = await client.acquireTokenByCode({
      code: result.get("code") ?? "",
      scopes: ["User.Read"],
      redirectUri: REDIRECT_URI,
      codeVerifier: pkce.verifier,
      nonce: "msal-nonce",
    });
    expect(token.account?.tenantId).toBe(DEMO_IDS.tenants.northwind);
    expect(token.idTokenClaims).toMatchObject({
      iss: `${emu.authorityHost}/${DEMO_IDS.tenants.northwind}/v2.0`,
      aud: emu.scenario.app.clientId,
      tid: DEMO_IDS.tenants.northwind,
      preferred_username: "sam.support@northwind.onmicrosoft.com",
      name: "Sam Taylor",
      nonce: "msal-nonce",
      ver: "2.0",
    });
    expect((token.idTokenClaims as { roles?: string[] }).roles).toEqual(["Support.Operator", "Support.Admin"]);
  });
});
