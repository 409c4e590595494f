/**
 * The emulator's managed identity endpoint, federated identity credentials and Key Vault, driven by Microsoft's own
 * clients (docs/protocol/identity.md): @azure/identity's ManagedIdentityCredential reads App Service's
 * IDENTITY_ENDPOINT / IDENTITY_HEADER; msal-node presents the identity's token as the app's client assertion;
 * @azure/keyvault-secrets and -certificates follow the vault's 401 challenge.
 */
import { Agent as HttpsAgent } from "node:https";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { ManagedIdentityCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { CertificateClient } from "@azure/keyvault-certificates";
import {
  DEMO_IDS,
  loopbackLookup,
  scenario,
  startEmulator,
  testCredentials,
  withSettings,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { claimsOf, tenantId, tokenRequest, vfetch } from "./helpers";

let emu: EmulatorHandle;
let contoso: string;
let identity: ManagedIdentityCredential;
// *.vault.localhost resolves to loopback only through this lookup (Node's resolver does not answer for it).
const agent = new HttpsAgent({ lookup: loopbackLookup as never });
const EXCHANGE = "api://AzureADTokenExchange/.default";

beforeAll(async () => {
  emu = await startEmulator({
    scenario: scenario({
      credentials: testCredentials(),
      customers: [{ name: "Contoso", environments: [{ name: "contoso" }] }],
    }),
  });
  contoso = tenantId(emu, "Contoso");
  // What App Service sets; msal-node reads them when the first managed identity credential of the process is made.
  process.env.IDENTITY_ENDPOINT = emu.managedIdentity.endpoint;
  process.env.IDENTITY_HEADER = emu.managedIdentity.header;
  identity = new ManagedIdentityCredential({ clientId: DEMO_IDS.managedIdentity.clientId, agent });
});
beforeEach(() => {
  emu.admin.reset();
  emu.admin.clearRequestLog();
});
afterAll(async () => {
  await emu.close();
});

const home = () => emu.scenario.app.homeTenantId;
const codeOf = (r: { body: Record<string, unknown> }) => (r.body.error_codes as number[] | undefined)?.[0];

/** A client-credentials request with the given assertion, as msal-node sends it. */
const withAssertion = (assertion: string, scope = `${emu.environmentUrl("contoso")}/.default`) =>
  tokenRequest(emu, contoso, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
    scope,
  });

describe("managed identity endpoint (App Service)", () => {
  it("issues the identity's token for the token exchange, read by @azure/identity from IDENTITY_ENDPOINT / IDENTITY_HEADER", async () => {
    const token = await identity.getToken(EXCHANGE);
    const claims = claimsOf(token.token);
    expect(claims).toMatchObject({
      iss: `${emu.authorityHost}/${home()}/v2.0`,
      sub: DEMO_IDS.managedIdentity.principalId,
      oid: DEMO_IDS.managedIdentity.principalId,
      tid: home(),
      idtyp: "app",
      ver: "2.0",
    });
    expect(claims.aud).toBe("fb60f99c-7a34-4190-8149-302f77469936");
    // About 24 hours, as expires_on (epoch seconds, a string) says.
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(23 * 3600_000);
    const [request] = emu.admin.requestLog().filter((e) => e.kind === "identity");
    expect(request).toMatchObject({
      method: "GET",
      path: "/msi/token",
      status: 200,
      clientId: DEMO_IDS.managedIdentity.clientId,
    });
    expect(new URLSearchParams(request!.query).get("api-version")).toBe("2019-08-01");
    expect(new URLSearchParams(request!.query).get("resource")).toBe("api://AzureADTokenExchange");
  });

  it("refuses a request without the host's header, with another api-version, or for an identity the host does not have", async () => {
    const base = `${emu.managedIdentity.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent("api://AzureADTokenExchange")}`;
    expect((await vfetch(base)).status).toBe(401);
    expect((await vfetch(base, { headers: { "x-identity-header": "guess" } })).status).toBe(401);
    const old = await vfetch(base.replace("2019-08-01", "2017-09-01"), {
      headers: { "x-identity-header": emu.managedIdentity.header },
    });
    expect(old.status).toBe(400);
    const unknown = await vfetch(`${base}&client_id=00000000-0000-4000-8000-000000000001`, {
      headers: { "x-identity-header": emu.managedIdentity.header },
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      statusCode: 400,
      message: "Unable to load the proper Managed Identity.",
    });
    // No system-assigned identity on this host either.
    expect((await vfetch(base, { headers: { "x-identity-header": emu.managedIdentity.header } })).status).toBe(400);
  });
});

describe("the managed identity as the app's federated credential", () => {
  it("msal-node gets tokens in a customer tenant with the identity's token as client assertion", async () => {
    const client = new ConfidentialClientApplication({
      auth: {
        clientId: emu.scenario.app.clientId,
        authority: `${emu.authorityHost}/${contoso}`,
        knownAuthorities: [new URL(emu.authorityHost).host],
        clientAssertion: async () => (await identity.getToken(EXCHANGE)).token,
      },
    });
    const result = await client.acquireTokenByClientCredential({
      scopes: [`${emu.environmentUrl("contoso")}/.default`],
    });
    expect(claimsOf(result!.accessToken)).toMatchObject({
      tid: contoso,
      appid: emu.scenario.app.clientId,
      appidacr: "2",
    });
    const token = emu.admin.requestLog().find((e) => e.kind === "entra.token" && e.status === 200);
    expect(token).toMatchObject({ tenantId: contoso, clientAuth: "federated_assertion" });
  });

  it("answers Microsoft's errors: no credential for the issuer, subject or audience; an expired assertion; Entra's own non-MSI token", async () => {
    const assertion = (await identity.getToken(EXCHANGE)).token;
    expect((await withAssertion(assertion)).status).toBe(200);

    emu.admin.removeFederatedCredential(DEMO_IDS.federatedCredentialName);
    const removed = await withAssertion(assertion);
    expect(removed.status).toBe(401);
    expect(removed.body.error).toBe("invalid_client");
    expect(codeOf(removed)).toBe(700211);
    expect(removed.body.error_description).toMatch(
      new RegExp(
        `^AADSTS700211: No matching federated identity record found for presented assertion issuer '${emu.authorityHost}/${home()}/v2.0'\\.`,
      ),
    );

    emu.admin.addFederatedCredential({
      name: "other-issuer",
      issuer: `https://login.microsoftonline.com/${home()}/v2.0`,
      subject: DEMO_IDS.managedIdentity.principalId,
    });
    expect(codeOf(await withAssertion(assertion))).toBe(700211);

    emu.admin.addFederatedCredential({
      name: "other-subject",
      issuer: `{authority}/${home()}/v2.0`,
      subject: "00000000-0000-4000-8000-0000000000ff",
    });
    const subject = await withAssertion(assertion);
    expect(codeOf(subject)).toBe(700213);
    expect(subject.body.error_description).toContain(
      `presented assertion subject '${DEMO_IDS.managedIdentity.principalId}'`,
    );

    emu.admin.addFederatedCredential({
      name: "upper-subject",
      issuer: `{authority}/${home()}/v2.0`,
      subject: DEMO_IDS.managedIdentity.principalId.toUpperCase(),
    });
    const caseOnly = await withAssertion(assertion);
    expect(codeOf(caseOnly)).toBe(7002138);
    expect(caseOnly.body.error_description).toContain(
      "The subject matches with case-insensitive comparison, but not with case-sensitive comparison.",
    );

    emu.admin.addFederatedCredential({
      name: "other-audience",
      issuer: `{authority}/${home()}/v2.0`,
      subject: DEMO_IDS.managedIdentity.principalId,
      audiences: ["api://SomethingElse"],
    });
    const audience = await withAssertion(assertion);
    expect(codeOf(audience)).toBe(700212);
    expect(audience.body.error_description).toContain(
      "presented assertion audience 'fb60f99c-7a34-4190-8149-302f77469936'",
    );

    emu.admin.reset();
    const now = Math.floor(Date.now() / 1000);
    const miClaims = { ...claimsOf(assertion), iat: now - 90_000, nbf: now - 90_000, exp: now - 3600 };
    const expired = await withAssertion(await emu.admin.issueToken(miClaims, { v1Header: false }));
    expect(expired.status).toBe(401);
    expect(codeOf(expired)).toBe(700024);
    expect(expired.body.error_description).toMatch(
      /^AADSTS700024: Client assertion is not within its valid time range\./,
    );

    const notMsi = { ...claimsOf(assertion) };
    delete notMsi.xms_mirid;
    expect(codeOf(await withAssertion(await emu.admin.issueToken(notMsi, { v1Header: false })))).toBe(700226);
  });

  it("names all three claims in AADSTS70021 when so configured, and keeps at most 20 credentials on the registration", async () => {
    emu.admin.replaceScenario(withSettings(emu.scenario, { federatedCredentialErrors: "legacy" }));
    emu.admin.removeFederatedCredential(DEMO_IDS.federatedCredentialName);
    const legacy = await withAssertion((await identity.getToken(EXCHANGE)).token);
    expect(legacy.status).toBe(400);
    expect(legacy.body.error).toBe("invalid_request");
    expect(legacy.body.error_description).toMatch(
      new RegExp(
        `^AADSTS70021: No matching federated identity record found for presented assertion\\. Assertion Issuer: '${emu.authorityHost}/${home()}/v2\\.0'\\. Assertion Subject: '${DEMO_IDS.managedIdentity.principalId}'\\. Assertion Audience: 'fb60f99c-7a34-4190-8149-302f77469936'\\.`,
      ),
    );
    for (let i = 0; i < 20; i++)
      emu.admin.addFederatedCredential({ name: `fic-${i}`, issuer: "https://issuer.example", subject: `s${i}` });
    expect(() =>
      emu.admin.addFederatedCredential({ name: "fic-21", issuer: "https://issuer.example", subject: "s21" }),
    ).toThrow(/Maximum of 20 federated identity credentials/);
  });
});

describe("Key Vault", () => {
  const vaultUrl = () => emu.vaultUrl(DEMO_IDS.keyVault.name);
  const secrets = () => new SecretClient(vaultUrl(), identity, { agent });
  const certificates = () => new CertificateClient(vaultUrl(), identity, { agent });

  it("answers an unauthenticated request with the bearer challenge, and a request without api-version with 400", async () => {
    const response = await vfetch(`${vaultUrl()}/secrets/${DEMO_IDS.keyVault.authSecret}?api-version=2026-04-01`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer authorization="${emu.authorityHost}/${home()}", resource="https://vault.localhost"`,
    );
    expect(await response.json()).toEqual({
      error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." },
    });
    expect((await vfetch(`${vaultUrl()}/secrets/${DEMO_IDS.keyVault.authSecret}`)).status).toBe(400);
  });

  it("serves secrets and their versions to the SDK with the managed identity's token, and refuses a token for another audience", async () => {
    const first = await secrets().getSecret(DEMO_IDS.keyVault.authSecret);
    expect(first.value).toMatch(/^[\w-]{40,}$/);
    const { version } = emu.admin.setVaultSecret(
      DEMO_IDS.keyVault.name,
      DEMO_IDS.keyVault.authSecret,
      "the next value",
    );
    const latest = await secrets().getSecret(DEMO_IDS.keyVault.authSecret);
    expect(latest.properties.version).toBe(version);
    expect(latest.value).toBe("the next value");
    expect(
      (await secrets().getSecret(DEMO_IDS.keyVault.authSecret, { version: first.properties.version! })).value,
    ).toBe(first.value);
    const versions = [];
    for await (const v of secrets().listPropertiesOfSecretVersions(DEMO_IDS.keyVault.authSecret))
      versions.push(v.version);
    expect(versions).toEqual([first.properties.version, version]);
    // The challenge, then the token from the managed identity endpoint, then the request again.
    const kinds = emu.admin
      .requestLog()
      .filter((e) => e.kind === "keyvault")
      .map((e) => e.status);
    expect(kinds[0]).toBe(401);

    const graphToken = (await identity.getToken("https://graph.microsoft.com/.default")).token;
    const wrong = await vfetch(`${vaultUrl()}/secrets/${DEMO_IDS.keyVault.authSecret}?api-version=2026-04-01`, {
      headers: { authorization: `Bearer ${graphToken}` },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toMatch(
      /^AKV10022: Invalid audience\./,
    );
  });

  it("404 for a missing secret or certificate, 403 without a role assignment", async () => {
    const missing = await secrets()
      .getSecret("no-such-secret")
      .catch((e: unknown) => e as { statusCode: number; code: string; message: string });
    expect(missing).toMatchObject({ statusCode: 404, code: "SecretNotFound" });
    expect((missing as { message: string }).message).toMatch(
      /^A secret with \(name\/id\) no-such-secret was not found in this key vault\./,
    );
    expect(
      await certificates()
        .getCertificate("no-such-certificate")
        .catch((e: unknown) => e),
    ).toMatchObject({
      statusCode: 404,
      code: "CertificateNotFound",
      message: "Certificate not found: no-such-certificate",
    });

    emu.admin.removeVaultRoles(DEMO_IDS.keyVault.name, DEMO_IDS.managedIdentity.principalId);
    const forbidden = await secrets()
      .getSecret(DEMO_IDS.keyVault.authSecret)
      .catch((e: unknown) => e as { statusCode: number; code: string; message: string; details: unknown });
    expect(forbidden).toMatchObject({ statusCode: 403, code: "Forbidden" });
    expect((forbidden as { message: string }).message).toContain(
      "Caller is not authorized to perform action on resource.",
    );
    expect((forbidden as { message: string }).message).toContain(
      "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'",
    );
    expect(JSON.stringify((forbidden as { details: unknown }).details)).toContain("ForbiddenByRbac");
  });

  it("serves a certificate, its PEM secret with the private key, and a new version added later", async () => {
    const certificate = await certificates().getCertificate(DEMO_IDS.keyVault.certificate);
    expect(certificate.properties.x509ThumbprintString?.toUpperCase()).toBe(
      testCredentials().certificate.thumbprintSha1,
    );
    const pem = await secrets().getSecret(DEMO_IDS.keyVault.certificate);
    expect(pem.properties.contentType).toBe("application/x-pem-file");
    expect(pem.properties.managed).toBe(true);
    expect(pem.value).toContain("-----BEGIN PRIVATE KEY-----");
    expect(pem.value).toContain("-----BEGIN CERTIFICATE-----");
    expect(pem.properties.version).toBe(certificate.properties.version);

    const added = emu.admin.addVaultCertificateVersion(DEMO_IDS.keyVault.name, DEMO_IDS.keyVault.certificate);
    const next = await certificates().getCertificate(DEMO_IDS.keyVault.certificate);
    expect(next.properties.version).toBe(added.version);
    expect(next.properties.x509ThumbprintString?.toUpperCase()).toBe(added.thumbprintSha1);
    expect(
      (await certificates().getCertificateVersion(DEMO_IDS.keyVault.certificate, certificate.properties.version!))
        .properties.x509ThumbprintString,
    ).toBe(certificate.properties.x509ThumbprintString);
  });
});
