// Configuration without secrets (README "Running without secrets"): a managed identity and a Key Vault certificate as
// the app's credentials, Key Vault references in place of the portal's own secrets — each refused, when wrong, with one
// message naming the variable and never the value.
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, earlySettings, keyVaultReferences, parseConfig, useResolvedReferences } from "@/lib/config";

const MI = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d";
const production = {
  DATABASE_URL: "postgresql://portal@db.internal:5432/portal",
  ENTRA_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  ENTRA_HOME_TENANT_ID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  ENTRA_CLIENT_MANAGED_IDENTITY: MI,
  AUTH_SECRET: "k".repeat(32),
  AUTH_URL: "https://onboarding.example.com",
};
const reference = (uri: string) => `@Microsoft.KeyVault(SecretUri=${uri})`;

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

afterEach(() => useResolvedReferences({}, {}));

describe("secretless credentials", () => {
  it("takes a user-assigned managed identity as the only credential outside demo mode, and a Key Vault certificate as its fallback", () => {
    expect(parseConfig(production).entra.credentials).toEqual([
      { kind: "managed-identity", slot: "ENTRA_CLIENT_MANAGED_IDENTITY", clientId: MI },
    ]);
    const both = parseConfig({
      ...production,
      ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: "https://Portal-KV.vault.azure.net/certificates/entra-app/",
    });
    expect(both.entra.credentials[1]).toEqual({
      kind: "key-vault-certificate",
      slot: "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT",
      vaultUrl: "https://portal-kv.vault.azure.net",
      name: "entra-app",
    });
    // Key Vault is read as the same identity unless KEY_VAULT_IDENTITY says otherwise.
    expect(both.keyVault).toEqual({ identity: { kind: "user-assigned", clientId: MI }, refreshMinutes: 60 });
    expect(
      parseConfig({ ...production, KEY_VAULT_IDENTITY: "default", KEY_VAULT_REFRESH_MINUTES: "5" }).keyVault,
    ).toEqual({ identity: { kind: "default" }, refreshMinutes: 5 });
  });

  it("refuses a system-assigned identity in Microsoft's words, a versioned or malformed certificate identifier, and three credentials", () => {
    expect(errorOf(() => parseConfig({ ...production, ENTRA_CLIENT_MANAGED_IDENTITY: "system" })).message).toBe(
      'Configuration error: ENTRA_CLIENT_MANAGED_IDENTITY must be the client id of a user-assigned managed identity: Microsoft accepts no system-assigned identity as a federated credential ("Only user-assigned managed identities can be used as a federated credential for apps")',
    );
    expect(errorOf(() => parseConfig({ ...production, ENTRA_CLIENT_MANAGED_IDENTITY: "my-identity" })).variable).toBe(
      "ENTRA_CLIENT_MANAGED_IDENTITY",
    );
    expect(
      errorOf(() =>
        parseConfig({
          ...production,
          ENTRA_CLIENT_CERTIFICATE_KEY_VAULT:
            "https://kv.vault.azure.net/certificates/app/0123456789abcdef0123456789abcdef",
        }),
      ).message,
    ).toContain("ENTRA_CLIENT_CERTIFICATE_KEY_VAULT must be a Key Vault certificate identifier without a version");
    expect(
      errorOf(() =>
        parseConfig({ ...production, ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: "https://kv.localhost/certificates/app" }),
      ).message,
    ).toContain("must not name a .localhost vault outside demo mode");
    const three = errorOf(() =>
      parseConfig({
        ...production,
        ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: "https://kv.vault.azure.net/certificates/app",
        ENTRA_CLIENT_SECRET: "s",
      }),
    );
    expect(three.message).toBe(
      "Configuration error: ENTRA_CLIENT_SECRET makes three credentials with ENTRA_CLIENT_MANAGED_IDENTITY and ENTRA_CLIENT_CERTIFICATE_KEY_VAULT; configure at most two (the one to use and its fallback)",
    );
    expect(errorOf(() => parseConfig({ ...production, KEY_VAULT_IDENTITY: "mine" })).variable).toBe(
      "KEY_VAULT_IDENTITY",
    );
  });
});

describe("Key Vault references", () => {
  const uri = "https://portal-kv.vault.azure.net/secrets/auth-secret";

  it("reads the one documented syntax, with or without a version, in the variables that may hold one", () => {
    const env = {
      ...production,
      AUTH_SECRET: reference(`${uri}/`),
      WEBHOOK_URL: "https://backend.example.com/hooks",
      WEBHOOK_SECRET: reference("https://portal-kv.vault.azure.net/secrets/webhook/0123456789ABCDEF0123456789abcdef"),
      DATABASE_URL: reference(uri),
    };
    expect(keyVaultReferences(env)).toEqual([
      { variable: "AUTH_SECRET", vaultUrl: "https://portal-kv.vault.azure.net", name: "auth-secret", version: null },
      {
        variable: "WEBHOOK_SECRET",
        vaultUrl: "https://portal-kv.vault.azure.net",
        name: "webhook",
        version: "0123456789abcdef0123456789abcdef",
      },
    ]);
  });

  it("names the variable of a malformed reference, never its value", () => {
    for (const [value, why] of [
      ["@Microsoft.KeyVault(VaultName=portal-kv;SecretName=auth-secret)", "only SecretUri=… is supported"],
      [
        "@Microsoft.KeyVault(SecretUri=http://portal-kv.vault.azure.net/secrets/auth-secret)",
        "SecretUri must be https://<vault host>/secrets/<name>",
      ],
      [
        "@Microsoft.KeyVault(SecretUri=https://portal-kv.vault.azure.net/keys/auth-secret)",
        "SecretUri must be https://<vault host>/secrets/<name>",
      ],
      ["@Microsoft.KeyVault(SecretUri=not a url)", "SecretUri is not a URL"],
      [`@Microsoft.KeyVault(SecretUri=${uri}`, "it must end with ')'"],
    ] as const) {
      const error = errorOf(() => parseConfig({ ...production, AUTH_SECRET: value }));
      expect(error.variable).toBe("AUTH_SECRET");
      expect(error.message).toContain(`Configuration error: AUTH_SECRET is a malformed Key Vault reference (${why}`);
      expect(error.message).toContain(
        "@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])",
      );
    }
  });

  it("is never taken as the value itself: unresolved, the configuration is refused; resolved, the value is checked like any other", () => {
    const env = {
      ...production,
      AUTH_SECRET: reference(uri),
      SMTP_URL: "smtp://alerts@mail.example.com:587",
      SMTP_PASSWORD: reference("https://portal-kv.vault.azure.net/secrets/smtp"),
    };
    expect(errorOf(() => parseConfig(env)).message).toContain(
      "AUTH_SECRET is a Key Vault reference that has not been resolved",
    );
    useResolvedReferences({ AUTH_SECRET: "r".repeat(40), SMTP_PASSWORD: "p@ss:word" }, env);
    const c = parseConfig(env);
    expect(c.sessionSecret).toBe("r".repeat(40));
    expect(c.mail?.smtpUrl).toBe("smtp://alerts:p%40ss%3Aword@mail.example.com:587");
    useResolvedReferences({ AUTH_SECRET: "short", SMTP_PASSWORD: "p" }, env);
    expect(errorOf(() => parseConfig(env)).message).toBe(
      "Configuration error: AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)",
    );
    // A resolved value belongs to the reference it was read for.
    expect(
      errorOf(() => parseConfig({ ...env, AUTH_SECRET: reference(`${uri}/0123456789abcdef0123456789abcdef`) })).message,
    ).toContain("has not been resolved");
  });

  it("reads what the Key Vault client needs before the references are resolved", () => {
    expect(
      earlySettings({ ...production, AUTH_SECRET: reference(uri), OUTBOUND_TIMEOUT_MS: "2500", LOG_LEVEL: "warn" }),
    ).toEqual({
      mode: "production",
      logLevel: "warn",
      outboundTimeoutMs: 2500,
      keyVaultIdentity: { kind: "user-assigned", clientId: MI },
      // The outbound door labels token requests by kind (a consent proof asks for the app's own resource).
      clientId: production.ENTRA_CLIENT_ID,
    });
    expect(earlySettings({}).keyVaultIdentity).toEqual({ kind: "system" });
  });
});

describe("a refused federated credential in a check", () => {
  it("is the vendor's side, told without Microsoft's codes", async () => {
    const { diagnoseTokenFailure } = await import("@/lib/checks/diagnoses");
    const context = {
      branding: {
        appName: "Northwind Sync",
        vendorName: "Northwind Traders",
        supportEmail: "support@northwind.example",
      },
      roleName: "Northwind Sync Integration",
      clientId: null,
    };
    for (const code of [70021, 700211, 700212, 700213, 7002138, 700226, 700024]) {
      const detail = {
        httpStatus: 401,
        error: "invalid_client",
        aadstsCode: code,
        description: `AADSTS${code}: …`,
        traceId: null,
        correlationId: null,
        timestamp: null,
      };
      const diagnosis = diagnoseTokenFailure(context, detail, new Error("token request failed"));
      expect(diagnosis).toMatchObject({ id: "vendor-credential", microsoftCode: `AADSTS${code}`, vendorFault: true });
      expect(diagnosis.cause).toContain("a problem with Northwind Traders' own app registration");
      expect(diagnosis.cause + diagnosis.fix).not.toContain("AADSTS");
    }
  });
});
