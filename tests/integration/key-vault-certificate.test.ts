// The app's certificate held in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT), read with the host's managed identity
// through @azure/keyvault-certificates and -secrets: loaded at first use, a version added while the portal runs is
// used by the next token request once it was picked up (what the KEY_VAULT_REFRESH_MINUTES timer or a rejection by
// Entra runs), without a restart; the console and the expiry reminders read the version in use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS, testCredentials } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";
import { setTestEnv } from "../support/config";
import { config } from "@/lib/config";

const h = useCheckHarness("pglite");
const FABRIKAM = DEMO_IDS.tenants.fabrikam;
const DAY_MS = 86_400_000;
const ref = () => ({ vaultUrl: h.emulator.vaultUrl(DEMO_IDS.keyVault.name), name: DEMO_IDS.keyVault.certificate });

beforeAll(() => {
  setTestEnv({
    ENTRA_CLIENT_SECRET: undefined,
    IDENTITY_ENDPOINT: h.emulator.managedIdentity.endpoint,
    IDENTITY_HEADER: h.emulator.managedIdentity.header,
    // The vault is read as this managed identity (a Key Vault Certificate User); the certificate is the only credential.
    KEY_VAULT_IDENTITY: DEMO_IDS.managedIdentity.clientId,
    ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: `${ref().vaultUrl}/certificates/${ref().name}`,
  });
});

afterAll(async () => {
  const { forgetVaultCertificates } = await import("@/lib/vault/certificate");
  forgetVaultCertificates();
});

const lastToken = (since: number) =>
  h.emulator
    .requestLog()
    .slice(since)
    .filter((e) => e.kind === "entra.token");

async function overview() {
  const { credentialsOverview } = await import("@/lib/credentials");
  return (await credentialsOverview(config().entra.credentials))[0]!;
}

describe("certificate in Key Vault", () => {
  it("a version added while the portal runs is used by the next token request after it is picked up", async () => {
    let start = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    const v1 = testCredentials().certificate.thumbprintSha1;
    expect(lastToken(start).map((t) => [t.clientAuth, t.certificateThumbprint, t.status])).toEqual([
      ["private_key_jwt", v1, 200],
    ]);
    const first = await overview();
    expect(first).toMatchObject({ kind: "key-vault-certificate", inUse: true, status: "ok", thumbprint: v1 });
    const v1Version = first.source?.version;
    expect(v1Version).toMatch(/^[0-9a-f]{32}$/);

    // The operator adds a version in Key Vault and registers its certificate on the app registration.
    const added = h.emulator.admin.addVaultCertificateVersion(DEMO_IDS.keyVault.name, DEMO_IDS.keyVault.certificate, {
      registerOnApp: true,
    });
    await forgetTokens(FABRIKAM);
    start = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    // Not picked up yet: still the version in use.
    expect(lastToken(start).map((t) => t.certificateThumbprint)).toEqual([v1]);

    const { refreshVaultCertificate } = await import("@/lib/vault/certificate");
    expect(await refreshVaultCertificate(ref())).toEqual({ changed: true });
    start = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    // The very next token request, without forgetting any cache: the new version has its own MSAL client.
    expect(lastToken(start).map((t) => [t.certificateThumbprint, t.status])).toEqual([[added.thumbprintSha1, 200]]);
    const second = await overview();
    expect(second).toMatchObject({
      thumbprint: added.thumbprintSha1,
      expiresAt: new Date(added.expiresAt),
      source: { version: added.version },
    });

    // Expiry reminders are about the version in use.
    const { sendExpiryReminders } = await import("@/lib/credentials");
    expect(
      await sendExpiryReminders(new Date(Date.parse(added.expiresAt) - 5 * DAY_MS), config().entra.credentials),
    ).toEqual([{ credentialId: `key-vault-certificate:${added.thumbprintSha1}`, days: 7 }]);
  });

  it("when Entra rejects the version in use, the vault is looked at at once and a newer version takes over", async () => {
    const { currentVaultCertificate } = await import("@/lib/vault/certificate");
    const { loadVaultCertificate } = await import("@/lib/vault/certificate");
    const inUse = await loadVaultCertificate(ref());
    // A newer version is registered, and the one in use is removed from the app registration before it was picked up.
    const added = h.emulator.admin.addVaultCertificateVersion(DEMO_IDS.keyVault.name, DEMO_IDS.keyVault.certificate, {
      registerOnApp: true,
    });
    const registered = h.emulator.admin
      .state()
      .scenario.app.certificates.filter((c) => c.thumbprintSha1.toUpperCase() === inUse.thumbprintSha1);
    for (const c of registered) h.emulator.admin.removeCertificate(c.keyId);
    await forgetTokens(FABRIKAM);

    const start = h.emulator.requestLog().length;
    const failed = await runHarnessCheck(h, FABRIKAM, "fabrikam");
    expect(failed.step("token").outcome).toBe("FAILED");
    expect(lastToken(start).map((t) => [t.status, t.errorCode])).toEqual([[401, "700027"]]);
    const deadline = Date.now() + 10_000;
    while (currentVaultCertificate(ref())?.version !== added.version) {
      if (Date.now() > deadline) throw new Error("the new version was not picked up");
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = h.emulator.requestLog().length;
    expect((await runHarnessCheck(h, FABRIKAM, "fabrikam")).outcome).toBe("PASSED");
    expect(lastToken(after).map((t) => [t.certificateThumbprint, t.status])).toEqual([[added.thumbprintSha1, 200]]);
  });
});
