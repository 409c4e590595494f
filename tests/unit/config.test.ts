import { describe, expect, it } from "vitest";
import { ConfigError, MICROSOFT_DATAVERSE_HOST_SUFFIXES, parseConfig } from "@/lib/config";

const production = {
  DATABASE_URL: "postgresql://portal:s3cret@db.internal:5432/portal",
  ENTRA_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  ENTRA_HOME_TENANT_ID: "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
  ENTRA_CLIENT_SECRET: "secret-value",
  AUTH_SECRET: "k".repeat(32),
  AUTH_URL: "https://onboarding.example.com/",
};

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("requires, by default, what the app syncs at Organization level and what the check reads at Business Unit level", () => {
    const { rolePrivileges } = parseConfig({}).dataverse;
    expect(rolePrivileges).toContainEqual({ name: "prvReadAccount", depth: "Global" });
    expect(rolePrivileges).toContainEqual({ name: "prvReadUser", depth: "Local" });
    expect(rolePrivileges).toContainEqual({ name: "prvReadRole", depth: "Local" });
  });

  it("reads DATAVERSE_ROLE_PRIVILEGES with optional depths in Dataverse's or the admin center's words", () => {
    const c = parseConfig({
      DATAVERSE_ROLE_PRIVILEGES:
        "prvReadAccount, prvReadUser:BusinessUnit, prvReadRole:Local, prvWriteContact:Parent: Child Business Units, prvReadContact:user",
    });
    expect(c.dataverse.rolePrivileges).toEqual([
      { name: "prvReadAccount", depth: "Global" },
      { name: "prvReadUser", depth: "Local" },
      { name: "prvReadRole", depth: "Local" },
      { name: "prvWriteContact", depth: "Deep" },
      { name: "prvReadContact", depth: "Basic" },
    ]);
    expect(errorOf({ DATAVERSE_ROLE_PRIVILEGES: "prvReadAccount:everywhere" }).message).toContain(
      "DATAVERSE_ROLE_PRIVILEGES is malformed: has 'prvReadAccount:everywhere'",
    );
    expect(errorOf({ DATAVERSE_ROLE_PRIVILEGES: "ReadAccount" }).message).toContain(
      "expected privilege names like prvReadAccount",
    );
  });

  it("starts in demo mode with nothing configured: embedded database, no sign-in credentials", () => {
    const c = parseConfig({});
    expect(c.mode).toBe("demo");
    expect(c.database).toMatchObject({ kind: "pglite", display: "pglite:.data/pglite" });
    expect(c.entra).toMatchObject({
      clientId: null,
      credentials: [],
      tenancy: "multi",
      authorityHost: "https://login.microsoftonline.com",
    });
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.port).toBe(3000);
    expect(c.dataverse.allowedHostSuffixes).toEqual([...MICROSOFT_DATAVERSE_HOST_SUFFIXES]);
    expect(c.dataverse.allowedHostSuffixes).toContain("crm21.dynamics.com");
  });

  it("reads a full production configuration and normalises it", () => {
    const c = parseConfig({
      ...production,
      PORT: "8080",
      TENANCY_MODE: "single",
      DATAVERSE_ALLOWED_HOST_SUFFIXES: " .CRM4.dynamics.com, crm.dynamics.com ,",
    });
    expect(c.mode).toBe("production");
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe("https://onboarding.example.com");
    expect(c.entra.homeTenantId).toBe("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    expect(c.entra.credentials).toEqual([
      { kind: "secret", slot: "ENTRA_CLIENT_SECRET", secret: "secret-value", expiresAt: null },
    ]);
    expect(c.entra.tenancy).toBe("single");
    expect(c.database).toEqual({
      kind: "postgres",
      url: production.DATABASE_URL,
      display: "postgresql://portal@db.internal:5432/portal",
    });
    expect(c.dataverse.allowedHostSuffixes).toEqual(["crm4.dynamics.com", "crm.dynamics.com"]);
  });

  it("names each missing required variable outside demo mode", () => {
    for (const name of [
      "DATABASE_URL",
      "ENTRA_CLIENT_ID",
      "ENTRA_HOME_TENANT_ID",
      "AUTH_SECRET",
      "AUTH_URL",
    ] as const) {
      const error = errorOf({ ...production, [name]: undefined });
      expect(error.variable).toBe(name);
      expect(error.message).toMatch(new RegExp(`^Configuration error: ${name} is required outside demo mode`));
    }
    expect(errorOf({ ...production, ENTRA_CLIENT_SECRET: undefined }).variable).toBe("ENTRA_CLIENT_SECRET");
  });

  it("treats empty strings as unset", () => {
    expect(errorOf({ ...production, ENTRA_CLIENT_ID: "  " }).message).toContain("ENTRA_CLIENT_ID is required");
    expect(parseConfig({ PORT: "", DATABASE_URL: "" }).mode).toBe("demo");
  });

  it("names malformed values", () => {
    expect(errorOf({ ...production, DATABASE_URL: "mysql://x/y" }).message).toBe(
      "Configuration error: DATABASE_URL has the unsupported scheme 'mysql'; expected postgresql:// or pglite:",
    );
    expect(errorOf({ ...production, DATABASE_URL: "postgresql://db.internal:5432/" }).message).toContain(
      "DATABASE_URL names no database",
    );
    expect(errorOf({ ...production, DATABASE_URL: "not a url" }).variable).toBe("DATABASE_URL");
    expect(errorOf({ ...production, ENTRA_CLIENT_ID: "my-app" }).message).toContain("ENTRA_CLIENT_ID must be a GUID");
    expect(errorOf({ ...production, PORT: "http" }).variable).toBe("PORT");
    expect(errorOf({ ...production, TENANCY_MODE: "both" }).variable).toBe("TENANCY_MODE");
    expect(errorOf({ ...production, ENTRA_AUTHORITY_HOST: "http://login.example.com" }).message).toContain(
      "must use https",
    );
    expect(errorOf({ ...production, AUTH_SECRET: "short" }).message).toContain(
      "AUTH_SECRET must be at least 32 characters",
    );
  });

  it("accepts a certificate credential", () => {
    const cert = {
      ...production,
      ENTRA_CLIENT_SECRET: undefined,
      ENTRA_CLIENT_CERTIFICATE_PATH: "/etc/portal/cert.pem",
      ENTRA_CLIENT_PRIVATE_KEY_PATH: "/etc/portal/key.pem",
    };
    expect(parseConfig(cert).entra.credentials).toEqual([
      {
        kind: "certificate",
        slot: "ENTRA_CLIENT_CERTIFICATE_PATH",
        certificatePath: "/etc/portal/cert.pem",
        privateKeyPath: "/etc/portal/key.pem",
      },
    ]);
    expect(errorOf({ ...cert, ENTRA_CLIENT_PRIVATE_KEY_PATH: undefined }).variable).toBe(
      "ENTRA_CLIENT_PRIVATE_KEY_PATH",
    );
  });

  it("accepts two credentials for rotation — two secrets, or a certificate and a secret — and refuses a third", () => {
    const two = parseConfig({
      ...production,
      ENTRA_CLIENT_SECRET_EXPIRES_AT: "2027-01-31",
      ENTRA_CLIENT_SECRET_2: "second-value",
      ENTRA_CLIENT_SECRET_2_EXPIRES_AT: "2028-01-31T00:00:00Z",
    });
    expect(two.entra.credentials).toEqual([
      {
        kind: "secret",
        slot: "ENTRA_CLIENT_SECRET",
        secret: "secret-value",
        expiresAt: new Date("2027-01-31T00:00:00Z"),
      },
      {
        kind: "secret",
        slot: "ENTRA_CLIENT_SECRET_2",
        secret: "second-value",
        expiresAt: new Date("2028-01-31T00:00:00Z"),
      },
    ]);
    const mixed = parseConfig({
      ...production,
      ENTRA_CLIENT_CERTIFICATE_PATH: "/etc/portal/cert.pem",
      ENTRA_CLIENT_PRIVATE_KEY_PATH: "/etc/portal/key.pem",
    });
    expect(mixed.entra.credentials.map((c) => c.kind)).toEqual(["certificate", "secret"]);
    const three = errorOf({
      ...production,
      ENTRA_CLIENT_SECRET_2: "second-value",
      ENTRA_CLIENT_CERTIFICATE_PATH: "/etc/portal/cert.pem",
      ENTRA_CLIENT_PRIVATE_KEY_PATH: "/etc/portal/key.pem",
    });
    expect(three.variable).toBe("ENTRA_CLIENT_SECRET_2");
    expect(three.message).toContain("at most two");
    expect(errorOf({ ...production, ENTRA_CLIENT_SECRET_2: "secret-value" }).message).toContain(
      "ENTRA_CLIENT_SECRET_2 is the same value as ENTRA_CLIENT_SECRET",
    );
    expect(
      errorOf({ ...production, ENTRA_CLIENT_SECRET: undefined, ENTRA_CLIENT_SECRET_2: "second-value" }).message,
    ).toContain("set ENTRA_CLIENT_SECRET (or a certificate) as the first");
    expect(errorOf({ ...production, ENTRA_CLIENT_SECRET_2_EXPIRES_AT: "2028-01-31" }).variable).toBe(
      "ENTRA_CLIENT_SECRET_2_EXPIRES_AT",
    );
    expect(
      errorOf({ ...production, ENTRA_CLIENT_SECRET_2: "second-value", ENTRA_CLIENT_SECRET_2_EXPIRES_AT: "next year" })
        .variable,
    ).toBe("ENTRA_CLIENT_SECRET_2_EXPIRES_AT");
    // No message ever carries a secret's value.
    expect(three.message).not.toContain("second-value");
  });

  it("never puts the database password in the display form", () => {
    expect(parseConfig(production).database.display).not.toContain("s3cret");
  });

  it("an explicit PORTAL_MODE=demo keeps demo mode even with Microsoft endpoints configured", () => {
    const c = parseConfig({
      PORTAL_MODE: "demo",
      ENTRA_CLIENT_ID: production.ENTRA_CLIENT_ID,
      ENTRA_CLIENT_SECRET: "x",
    });
    expect(c.mode).toBe("demo");
    expect(c.entra.clientId).toBe(production.ENTRA_CLIENT_ID);
  });

  it("refuses a .localhost Dataverse host suffix outside demo mode, naming the variable", () => {
    for (const suffixes of ["crm.dynamics.localhost", "crm4.dynamics.com, .LOCALHOST", "localhost"]) {
      const error = errorOf({ ...production, DATAVERSE_ALLOWED_HOST_SUFFIXES: suffixes });
      expect(error.variable).toBe("DATAVERSE_ALLOWED_HOST_SUFFIXES");
      expect(error.message).toMatch(
        /^Configuration error: DATAVERSE_ALLOWED_HOST_SUFFIXES must not contain a \.localhost suffix \((crm\.dynamics\.)?localhost\) outside demo mode/,
      );
    }
    // A name that merely contains the word is not a .localhost suffix; the demo may use the emulator's hosts.
    expect(
      parseConfig({ ...production, DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm.notlocalhost.example" }).dataverse
        .allowedHostSuffixes,
    ).toEqual(["crm.notlocalhost.example"]);
    expect(
      parseConfig({ PORTAL_MODE: "demo", DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm.dynamics.localhost" }).dataverse
        .allowedHostSuffixes,
    ).toEqual(["crm.dynamics.localhost"]);
  });

  it("monitoring and mail: defaults, and a bad value names its variable", () => {
    expect(parseConfig({}).monitoring).toEqual({
      recheckIntervalMinutes: 60,
      concurrency: 20,
      tenantConcurrency: 4,
      worker: "in-process",
    });
    expect(parseConfig({}).mail).toBeNull();
    expect(
      parseConfig({ SMTP_URL: "smtp://127.0.0.1:2525", RECHECK_INTERVAL_MINUTES: "0", RECHECK_WORKER: "off" }),
    ).toMatchObject({
      mail: { smtpUrl: "smtp://127.0.0.1:2525", from: "no-reply@northwind.example" },
      monitoring: { recheckIntervalMinutes: 0, worker: "off" },
    });
    expect(errorOf({ SMTP_URL: "http://mail.example.com" }).variable).toBe("SMTP_URL");
    expect(errorOf({ EMAIL_FROM: "not an address" }).variable).toBe("EMAIL_FROM");
    expect(errorOf({ RECHECK_INTERVAL_MINUTES: "-5" }).variable).toBe("RECHECK_INTERVAL_MINUTES");
    expect(errorOf({ RECHECK_WORKER: "sometimes" }).variable).toBe("RECHECK_WORKER");
  });
});

describe("LOG_LEVEL", () => {
  it("defaults to info, takes pino's levels, and names itself when wrong", () => {
    expect(parseConfig({}).logLevel).toBe("info");
    expect(parseConfig({ LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(parseConfig({ LOG_LEVEL: "" }).logLevel).toBe("info");
    expect(() => parseConfig({ LOG_LEVEL: "loud" })).toThrow(ConfigError);
    expect(() => parseConfig({ LOG_LEVEL: "loud" })).toThrow(
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });
});

describe("TRUST_FORWARDED_HEADERS", () => {
  it("is off unless set to true, and names itself when wrong", () => {
    expect(parseConfig({}).trustForwardedHeaders).toBe(false);
    expect(parseConfig({ TRUST_FORWARDED_HEADERS: "" }).trustForwardedHeaders).toBe(false);
    expect(parseConfig({ TRUST_FORWARDED_HEADERS: "false" }).trustForwardedHeaders).toBe(false);
    expect(parseConfig({ TRUST_FORWARDED_HEADERS: "TRUE" }).trustForwardedHeaders).toBe(true);
    expect(() => parseConfig({ TRUST_FORWARDED_HEADERS: "yes" })).toThrow(
      /TRUST_FORWARDED_HEADERS must be true or false/,
    );
  });
});

describe("REAUTH_MAX_AGE_MINUTES", () => {
  it("defaults to 60 minutes, in seconds, and takes whole minutes from 1 to a day", () => {
    expect(parseConfig({}).reauthMaxAgeSeconds).toBe(3600);
    expect(parseConfig({ REAUTH_MAX_AGE_MINUTES: "5" }).reauthMaxAgeSeconds).toBe(300);
    for (const bad of ["0", "1.5", "1441", "soon"])
      expect(() => parseConfig({ REAUTH_MAX_AGE_MINUTES: bad }), bad).toThrow(/REAUTH_MAX_AGE_MINUTES/);
  });
});

describe("CONSENT_VERIFICATION_TIMEOUT_MINUTES", () => {
  it("defaults to 15 minutes and takes whole minutes from 1", () => {
    expect(parseConfig({}).consentVerificationTimeoutMinutes).toBe(15);
    expect(parseConfig({ CONSENT_VERIFICATION_TIMEOUT_MINUTES: "2" }).consentVerificationTimeoutMinutes).toBe(2);
    expect(() => parseConfig({ CONSENT_VERIFICATION_TIMEOUT_MINUTES: "0" })).toThrow(
      /CONSENT_VERIFICATION_TIMEOUT_MINUTES/,
    );
    expect(() => parseConfig({ CONSENT_VERIFICATION_TIMEOUT_MINUTES: "soon" })).toThrow(
      /CONSENT_VERIFICATION_TIMEOUT_MINUTES/,
    );
  });
});

describe("webhooks and API configuration", () => {
  it("is off without WEBHOOK_URL and needs a secret with it; https outside demo mode", () => {
    expect(parseConfig({}).webhooks).toBeNull();
    expect(parseConfig({}).api.rateLimitPerMinute).toBe(120);
    expect(() => parseConfig({ WEBHOOK_URL: "http://127.0.0.1:9999/hooks" })).toThrow(
      /WEBHOOK_SECRET is required when WEBHOOK_URL is set/,
    );
    expect(() => parseConfig({ WEBHOOK_SECRET: "x".repeat(32) })).toThrow(/WEBHOOK_URL is required/);
    expect(() => parseConfig({ WEBHOOK_URL: "ftp://example.com", WEBHOOK_SECRET: "x".repeat(32) })).toThrow(
      /WEBHOOK_URL must be the http\(s\) URL/,
    );
    expect(() => parseConfig({ WEBHOOK_URL: "http://x.example/h", WEBHOOK_SECRET: "short" })).toThrow(
      /WEBHOOK_SECRET must be at least 24 characters/,
    );
    expect(
      parseConfig({ WEBHOOK_URL: "http://127.0.0.1:9999/hooks", WEBHOOK_SECRET: "x".repeat(32) }).webhooks,
    ).toEqual({ url: "http://127.0.0.1:9999/hooks", secret: "x".repeat(32) });
    expect(() =>
      parseConfig({ ...production, WEBHOOK_URL: "http://x.example/h", WEBHOOK_SECRET: "x".repeat(32) }),
    ).toThrow(/WEBHOOK_URL must use https outside demo mode/);
    expect(
      parseConfig({ ...production, WEBHOOK_URL: "https://x.example/h", WEBHOOK_SECRET: "x".repeat(32) }).webhooks?.url,
    ).toBe("https://x.example/h");
    expect(() => parseConfig({ API_RATE_LIMIT_PER_MINUTE: "0" })).toThrow(/API_RATE_LIMIT_PER_MINUTE/);
  });
});

describe("GLOBAL_DISCOVERY_URL", () => {
  it("follows the cloud of the authority host, can be set for GCC and DoD, and is off for an unknown cloud", () => {
    expect(parseConfig({}).dataverse.globalDiscoveryUrl).toBe("https://globaldisco.crm.dynamics.com");
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://login.microsoftonline.us" }).dataverse.globalDiscoveryUrl).toBe(
      "https://globaldisco.crm.microsoftdynamics.us",
    );
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://login.chinacloudapi.cn" }).dataverse.globalDiscoveryUrl).toBe(
      "https://globaldisco.crm.dynamics.cn",
    );
    expect(
      parseConfig({ GLOBAL_DISCOVERY_URL: "https://globaldisco.crm9.dynamics.com/" }).dataverse.globalDiscoveryUrl,
    ).toBe("https://globaldisco.crm9.dynamics.com");
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://127.0.0.1:44300" }).dataverse.globalDiscoveryUrl).toBeNull();
    expect(() => parseConfig({ GLOBAL_DISCOVERY_URL: "http://globaldisco.crm.dynamics.com" })).toThrow(
      /GLOBAL_DISCOVERY_URL must use https/,
    );
  });
});

describe("GRAPH_URL", () => {
  it("follows the cloud of the authority host, can be set for DoD, and is off for an unknown cloud", () => {
    expect(parseConfig({}).graphUrl).toBe("https://graph.microsoft.com");
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://login.microsoftonline.us" }).graphUrl).toBe(
      "https://graph.microsoft.us",
    );
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://login.chinacloudapi.cn" }).graphUrl).toBe(
      "https://microsoftgraph.chinacloudapi.cn",
    );
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://login.partner.microsoftonline.cn" }).graphUrl).toBe(
      "https://microsoftgraph.chinacloudapi.cn",
    );
    expect(parseConfig({ GRAPH_URL: "https://dod-graph.microsoft.us/" }).graphUrl).toBe(
      "https://dod-graph.microsoft.us",
    );
    expect(parseConfig({ ENTRA_AUTHORITY_HOST: "https://127.0.0.1:44300" }).graphUrl).toBeNull();
    expect(() => parseConfig({ GRAPH_URL: "http://graph.microsoft.com" })).toThrow(/GRAPH_URL must use https/);
  });
});
