// The doctor's checks that need nothing but the configuration: Dataverse host suffixes against the authority's
// cloud, and the configured credentials' expiry.
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { checkCredentialExpiry, checkHostSuffixes } from "@/lib/doctor/checks";

const production = {
  PORTAL_MODE: "production",
  DATABASE_URL: "postgresql://portal@db.example.com:5432/portal",
  ENTRA_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  ENTRA_HOME_TENANT_ID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  ENTRA_CLIENT_SECRET: "a-secret-value-of-the-registration",
  AUTH_SECRET: "x".repeat(40),
  AUTH_URL: "https://onboarding.example.com",
};

describe("doctor: DATAVERSE_ALLOWED_HOST_SUFFIXES against the authority's cloud", () => {
  it("accepts the public cloud's regions with the public authority", () => {
    expect(
      checkHostSuffixes(
        parseConfig({ ...production, DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm.dynamics.com,crm4.dynamics.com" }),
      ).status,
    ).toBe("ok");
  });

  it("warns when the default list allows other clouds' hosts, and says which to keep", () => {
    const finding = checkHostSuffixes(
      parseConfig({ ...production, ENTRA_AUTHORITY_HOST: "https://login.microsoftonline.us" }),
    );
    expect(finding.status).toBe("warning");
    expect(finding.detail).toContain("crm.dynamics.com");
    expect(finding.fix).toBe("Set DATAVERSE_ALLOWED_HOST_SUFFIXES=crm.microsoftdynamics.us,crm.appsplatform.us.");
  });

  it("fails when no suffix belongs to the authority's cloud", () => {
    const finding = checkHostSuffixes(
      parseConfig({
        ...production,
        ENTRA_AUTHORITY_HOST: "https://login.chinacloudapi.cn",
        DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm4.dynamics.com",
      }),
    );
    expect(finding).toMatchObject({ status: "error", detail: expect.stringContaining("China") });
    expect(finding.fix).toContain("DATAVERSE_ALLOWED_HOST_SUFFIXES");
  });

  it("does not judge an authority that is no Microsoft cloud (the emulator)", () => {
    expect(
      checkHostSuffixes(parseConfig({ ...production, ENTRA_AUTHORITY_HOST: "https://127.0.0.1:44300" })).status,
    ).toBe("skipped");
  });
});

describe("doctor: the configured credentials' expiry", () => {
  const now = new Date("2026-12-04T00:00:00Z");
  const expiry = (at?: string) =>
    checkCredentialExpiry(
      parseConfig({ ...production, ...(at ? { ENTRA_CLIENT_SECRET_EXPIRES_AT: at } : {}) }),
      now,
    )[0]!;

  it("passes a secret far from its expiry, warns within 30 days, fails once expired", () => {
    expect(expiry("2027-06-01").status).toBe("ok");
    expect(expiry("2026-12-20")).toMatchObject({ status: "warning", detail: "expires on 2026-12-20 (in 16 days)" });
    expect(expiry("2026-12-01")).toMatchObject({ status: "error", detail: "expired on 2026-12-01" });
  });

  it("asks for the expiry of a secret configured without one", () => {
    expect(expiry()).toMatchObject({ status: "warning", detail: "ENTRA_CLIENT_SECRET_EXPIRES_AT is not set" });
  });
});
