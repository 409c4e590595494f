// The portal without any secret (docs/protocol/identity.md): its credential for Entra ID is a user-assigned managed
// identity that the app registration trusts through a federated credential — @azure/identity reads the emulator's
// managed identity endpoint from IDENTITY_ENDPOINT / IDENTITY_HEADER and msal-node presents the identity's token as
// the client assertion — with a certificate held in Key Vault as the fallback. Checks, consent proof and delegated
// redemption all work with no secret configured; a federated credential removed from the app registration meets
// Microsoft's error, the fallback takes over with one notice, and the console's data says so.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";
import { setTestEnv } from "../support/config";
import { Browser, REDIRECT_URI, resultParams } from "@/tests/emulator/helpers";
import { config } from "@/lib/config";

const h = useCheckHarness("pglite");
const FABRIKAM = DEMO_IDS.tenants.fabrikam;
const ADVENTURE = DEMO_IDS.tenants.adventureWorks;

beforeAll(() => {
  setTestEnv({
    ENTRA_CLIENT_SECRET: undefined,
    // What App Service sets on a host with a managed identity.
    IDENTITY_ENDPOINT: h.emulator.managedIdentity.endpoint,
    IDENTITY_HEADER: h.emulator.managedIdentity.header,
    ENTRA_CLIENT_MANAGED_IDENTITY: DEMO_IDS.managedIdentity.clientId,
    ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: `${h.emulator.vaultUrl(DEMO_IDS.keyVault.name)}/certificates/${DEMO_IDS.keyVault.certificate}`,
  });
});

afterAll(async () => {
  const { forgetVaultCertificates } = await import("@/lib/vault/certificate");
  forgetVaultCertificates();
});

const tokenRequests = (since: number) =>
  h.emulator
    .requestLog()
    .slice(since)
    .filter((e) => e.kind === "entra.token");
const identityRequests = (since: number) =>
  h.emulator
    .requestLog()
    .slice(since)
    .filter((e) => e.kind === "identity");

describe("managed identity as the app's credential", () => {
  it("checks, consent proof and delegated redemption work with no secret configured; the identity is asked once", async () => {
    expect(config().entra.credentials.map((k) => k.kind)).toEqual(["managed-identity", "key-vault-certificate"]);
    expect(Object.keys(process.env).filter((k) => /SECRET|PRIVATE_KEY/.test(k) && k.startsWith("ENTRA_"))).toEqual([]);
    const start = h.emulator.requestLog().length;

    const check = await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect(check.outcome).toBe("PASSED");
    const { consentProofToken } = await import("@/lib/entra/msal");
    expect((await consentProofToken(ADVENTURE)).accessToken.split(".")).toHaveLength(3);

    const { delegatedAuthorizationUrl, newPkcePair, redeemDelegatedCode, userImpersonationScope } =
      await import("@/lib/entra/delegated");
    const pkce = await newPkcePair();
    const scope = userImpersonationScope(h.emulator.environmentUrl("fabrikam"));
    const url = await delegatedAuthorizationUrl({
      tenantId: FABRIKAM,
      scope,
      redirectUri: REDIRECT_URI,
      state: "mi",
      codeChallenge: pkce.challenge,
      loginHint: null,
    });
    const browser = new Browser(h.emulator);
    let step = await browser.click(await browser.open(url), "Sign in as Diego Siciliani");
    if (browser.buttonLabels(step).includes("Accept")) step = await browser.click(step, "Accept");
    const redeemed = await redeemDelegatedCode({
      tenantId: FABRIKAM,
      scope,
      redirectUri: REDIRECT_URI,
      code: resultParams(step).get("code")!,
      codeVerifier: pkce.verifier,
    });
    expect(redeemed.tenantId).toBe(FABRIKAM);

    // Every token request in both tenants authenticated with the managed identity's token, and it was fetched once.
    const tokens = tokenRequests(start);
    expect(tokens.map((t) => [t.tenantId, t.grantType, t.clientAuth, t.status])).toEqual([
      [FABRIKAM, "client_credentials", "federated_assertion", 200],
      [ADVENTURE, "client_credentials", "federated_assertion", 200],
      [FABRIKAM, "authorization_code", "federated_assertion", 200],
    ]);
    // One token of the managed identity for the token exchange, one for Key Vault (the certificate read at first use).
    expect(
      identityRequests(start)
        .map((r) => new URLSearchParams(r.query).get("resource"))
        .sort(),
    ).toEqual(["api://AzureADTokenExchange", "https://vault.localhost"]);

    const { credentialsOverview } = await import("@/lib/credentials");
    const overview = await credentialsOverview(config().entra.credentials);
    expect(overview.map((c) => [c.kind, c.label, c.inUse, c.status])).toEqual([
      ["managed-identity", "Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)", true, "ok"],
      ["key-vault-certificate", "Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)", false, "ok"],
    ]);
  });

  it("a federated credential removed from the app registration: Microsoft's error, the Key Vault certificate takes over, one notice; no assertion, token or key in any log line or row", async () => {
    const { describeCredential } = await import("@/lib/entra/credentials");
    // Every log line at every level, from here on: the assertion and the certificate are fetched again meanwhile.
    const lines: string[] = [];
    const { createLogger, setLogger } = await import("@/lib/log");
    setLogger(
      createLogger(
        new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }),
        "trace",
      ),
    );
    const { forgetFederatedAssertions } = await import("@/lib/entra/managed-identity");
    const { forgetVaultCertificates } = await import("@/lib/vault/certificate");
    forgetFederatedAssertions();
    forgetVaultCertificates();
    h.emulator.admin.removeFederatedCredential(DEMO_IDS.federatedCredentialName);
    await forgetTokens(FABRIKAM);
    const start = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    expect(tokenRequests(start).map((t) => [t.status, t.errorCode, t.clientAuth])).toEqual([
      [401, "700211", undefined],
      [200, undefined, "private_key_jwt"],
    ]);
    // The next request goes to the certificate straight away (the identity is avoided), and no second notice.
    await forgetTokens(FABRIKAM);
    const again = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    expect(tokenRequests(again).map((t) => [t.clientAuth, t.status])).toEqual([["private_key_jwt", 200]]);

    const { db } = await import("@/lib/db/client");
    const mi = describeCredential(config().entra.credentials[0]!).id;
    expect(mi).toBe(`managed-identity:${DEMO_IDS.managedIdentity.clientId}`);
    const audits = await db().auditEvent.findMany({
      where: { action: "credential.fallback" },
      select: { targetId: true, details: true },
    });
    expect(audits).toEqual([
      {
        targetId: mi,
        details: expect.objectContaining({
          code: 700211,
          credential: "Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)",
          fallbackTo: "Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)",
        }),
      },
    ]);
    const { credentialsOverview } = await import("@/lib/credentials");
    const overview = await credentialsOverview(config().entra.credentials);
    expect(overview.map((c) => [c.kind, c.inUse, c.rejection?.code ?? null])).toEqual([
      ["managed-identity", false, 700211],
      ["key-vault-certificate", true, null],
    ]);

    // What must never be written down: any signed token (the assertion, the access tokens), the certificate's
    // private key, the vault's secrets.
    const vault = h.emulator.admin.state().scenario.keyVaults[0]!;
    const keyBody = vault.certificates[0]!.versions[0]!.keyPem.split("\n").slice(1, 3).join("\n");
    const vaultSecrets = vault.secrets.flatMap((x) => x.versions.map((v) => v.value));
    const jwt = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;
    expect(lines.some((l) => l.includes("Key Vault certificate loaded"))).toBe(true);
    expect(lines.some((l) => l.includes("outbound call") && l.includes("vault.localhost"))).toBe(true);
    for (const line of lines) {
      expect(line).not.toMatch(jwt);
      expect(line).not.toContain(keyBody);
      for (const value of vaultSecrets) expect(line).not.toContain(value);
    }
    const tables = await db().$queryRawUnsafe<Array<{ table_name: string }>>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables) {
      for (const row of await db().$queryRawUnsafe<Array<{ row: string }>>(
        `SELECT row_to_json(t)::text AS row FROM "${table_name}" t`,
      )) {
        expect(row.row).not.toMatch(jwt);
        expect(row.row).not.toContain(keyBody.replace(/\n/g, "\\n"));
        expect(row.row).not.toContain(keyBody.split("\n")[0]);
      }
    }
  });
});
