// Pure parts of the support console: the list's query parsing, CSV cells, the credential-health rule.
import { describe, expect, it } from "vitest";
import { credentialHealth } from "@/lib/credentials";
import { csvCell, csvLine } from "@/lib/data/support/csv";
import { CHECK_STEPS } from "@/lib/checks/vocabulary";
import { filtersToQuery, parseTenantFilters } from "@/lib/data/support/tenant-filters";

describe("tenant list query parsing", () => {
  it("gives defaults for an empty query and ignores unknown parameters", () => {
    expect(parseTenantFilters({ utm_source: "mail" })).toEqual({
      ok: true,
      filters: { sort: "checked", dir: "desc", page: 1, size: 25 },
    });
    expect(parseTenantFilters(new URLSearchParams("stage=&step=&q=+"))).toEqual({
      ok: true,
      filters: { sort: "checked", dir: "desc", page: 1, size: 25 },
    });
  });

  it("accepts every documented filter", () => {
    const parsed = parseTenantFilters(
      new URLSearchParams(
        "q=contoso&stage=failing&step=roles&source=invitation&stale=7&sort=name&dir=asc&page=3&size=100",
      ),
    );
    expect(parsed).toEqual({
      ok: true,
      filters: {
        q: "contoso",
        stage: "failing",
        step: "roles",
        source: "invitation",
        stale: 7,
        sort: "name",
        dir: "asc",
        page: 3,
        size: 100,
      },
    });
  });

  it.each([
    ["stage=stuck", "stage must be one of"],
    ["step=everything", "step must be one of"],
    ["source=partner", "source must be one of"],
    ["stale=0", "stale must be a number of days from 1 to 365"],
    ["stale=9999", "stale must be a number of days from 1 to 365"],
    ["stale=7d", "stale must be a number of days"],
    ["sort=id", "sort must be one of"],
    ["dir=up", "dir must be asc or desc"],
    ["page=0", "page must be a whole number from 1 to 10000"],
    ["page=-1", "page must be a whole number"],
    ["page=2.5", "page must be a whole number"],
    ["page=abc", "page must be a whole number"],
    ["page=10001", "page must be a whole number from 1 to 10000"],
    ["page=99999999999999999999", "page must be a whole number"],
    ["size=7", "size must be one of: 25, 50, 100"],
    ["stage=failing&stage=verified", "stage appears more than once"],
    ["q=a%00b", "q must not contain NUL characters"],
    [`q=${"x".repeat(201)}`, "Search for at most 200 characters"],
  ])("refuses %s with a message naming the parameter", (query, message) => {
    const parsed = parseTenantFilters(new URLSearchParams(query));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors.join(" ")).toContain(message);
  });

  it("round-trips through the URL, leaving defaults out", () => {
    const parsed = parseTenantFilters(new URLSearchParams("stage=failing&stale=30&sort=name&dir=asc&page=2"));
    if (!parsed.ok) throw new Error("should parse");
    expect(filtersToQuery(parsed.filters)).toBe("?stage=failing&stale=30&sort=name&dir=asc&page=2");
    expect(filtersToQuery(parsed.filters, { page: 1 })).toBe("?stage=failing&stale=30&sort=name&dir=asc");
    expect(parseTenantFilters(new URLSearchParams(filtersToQuery(parsed.filters).slice(1)))).toEqual(parsed);
  });

  it("filters by the check engine's own steps", () => {
    for (const step of CHECK_STEPS) expect(parseTenantFilters(new URLSearchParams(`step=${step}`)).ok).toBe(true);
    expect(parseTenantFilters(new URLSearchParams("step=no-such-step")).ok).toBe(false);
  });
});

describe("CSV cells", () => {
  it("quotes separators, quotes and line breaks", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded ")).toBe('" padded "');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05.000Z");
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+1-555")).toBe("'+1-555");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvLine(["x", "=1", null])).toBe("x,'=1,\r\n");
  });
});

describe("credential health", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const secret = (expiresAt: string | null) => ({
    kind: "secret" as const,
    slot: "ENTRA_CLIENT_SECRET" as const,
    secret: "s3cret",
    expiresAt: expiresAt ? new Date(expiresAt) : null,
  });

  it("is fine more than 30 days before expiry, a warning from 30 days, and expired after", () => {
    expect(credentialHealth(secret("2026-07-15T00:00:00Z"), now)).toMatchObject({
      kind: "secret",
      status: "ok",
      daysLeft: 44,
    });
    expect(credentialHealth(secret("2026-07-01T00:00:00Z"), now)).toMatchObject({ status: "expiring", daysLeft: 30 });
    expect(credentialHealth(secret("2026-06-02T00:00:00Z"), now)).toMatchObject({ status: "expiring", daysLeft: 1 });
    expect(credentialHealth(secret("2026-05-31T00:00:00Z"), now)).toMatchObject({ status: "expired" });
  });

  it("says so when the expiry is unknown or there is no credential, and never returns the secret", () => {
    const health = credentialHealth(secret(null), now);
    expect(health).toEqual({ kind: "secret", expiresAt: null, daysLeft: null, status: "unknown", thumbprint: null });
    expect(JSON.stringify(health)).not.toContain("s3cret");
    expect(credentialHealth(null, now).status).toBe("missing");
  });

  it("reads a certificate's expiry and thumbprint from its file", () => {
    const cert = {
      kind: "certificate" as const,
      slot: "ENTRA_CLIENT_CERTIFICATE_PATH" as const,
      certificatePath: "/cert.pem",
      privateKeyPath: "/key.pem",
    };
    const read = (path: string) => {
      expect(path).toBe("/cert.pem");
      return { validTo: new Date("2026-06-20T00:00:00Z"), thumbprint: "AB12" };
    };
    expect(credentialHealth(cert, now, read)).toMatchObject({
      kind: "certificate",
      status: "expiring",
      daysLeft: 19,
      thumbprint: "AB12",
    });
    expect(
      credentialHealth(cert, now, () => ({ validTo: new Date("2027-01-01T00:00:00Z"), thumbprint: "AB12" })).status,
    ).toBe("ok");
    expect(
      credentialHealth(cert, now, () => {
        throw new Error("ENOENT");
      }).status,
    ).toBe("unreadable");
  });
});

describe("canonical list addresses", () => {
  it("tells a blank or default field from the canonical spelling", async () => {
    const { isCanonicalQuery } = await import("@/lib/data/support/tenant-filters");
    const check = (query: string) => {
      const parsed = parseTenantFilters(new URLSearchParams(query));
      if (!parsed.ok) throw new Error(query);
      return isCanonicalQuery(new URLSearchParams(query), parsed.filters);
    };
    expect(check("")).toBe(true);
    expect(check("stage=failing")).toBe(true);
    expect(check("page=2&stage=failing")).toBe(true);
    expect(check("stage=failing&utm_source=mail")).toBe(true);
    expect(check("q=&stage=failing&step=&sort=checked&dir=desc&size=25")).toBe(false);
    expect(check("stage=failing&page=1")).toBe(false);
    expect(check("q=+contoso+")).toBe(false);
  });
});

describe("the alert log's words", () => {
  it("names each kind of e-mail in words, and a kind it does not know yet still not as a code", async () => {
    const { mailKindLabel } = await import("@/components/support/format");
    expect(mailKindLabel("alert.connection.recovered")).toBe("Connection working again");
    expect(mailKindLabel("alert.connection.broken")).toBe("Connection broken");
    expect(mailKindLabel("alert.consent.removed")).toBe("Consent removed");
    expect(mailKindLabel("invitation")).toBe("Invitation");
    expect(mailKindLabel("alert.setup.finished")).toBe("Setup finished");
    expect(mailKindLabel("alert.connection.recovered")).not.toMatch(/\./);
  });
});
