import { describe, expect, it } from "vitest";
import { MICROSOFT_DATAVERSE_HOST_SUFFIXES } from "@/lib/config";
import { EnvironmentUrlError, normaliseEnvironmentUrl } from "@/lib/dataverse/environment-url";

const suffixes = [...MICROSOFT_DATAVERSE_HOST_SUFFIXES];
const normalise = (input: string) => normaliseEnvironmentUrl(input, suffixes);
const codeOf = (input: string, allowed = suffixes) => {
  try {
    normaliseEnvironmentUrl(input, allowed);
  } catch (error) {
    if (error instanceof EnvironmentUrlError) return error.code;
    throw error;
  }
  return "accepted";
};

describe("normaliseEnvironmentUrl", () => {
  it.each([
    ["contoso.crm.dynamics.com", "https://contoso.crm.dynamics.com"],
    ["  https://CONTOSO.crm4.Dynamics.com/  ", "https://contoso.crm4.dynamics.com"],
    ["https://contoso.api.crm4.dynamics.com/api/data/v9.2/", "https://contoso.crm4.dynamics.com"],
    [
      "https://contoso.crm11.dynamics.com/main.aspx?appid=123&pagetype=entitylist#x",
      "https://contoso.crm11.dynamics.com",
    ],
    ["http://contoso.crm21.dynamics.com", "https://contoso.crm21.dynamics.com"],
    ["https://contoso.crm.dynamics.com:443/", "https://contoso.crm.dynamics.com"],
    ["contoso.crm.dynamics.com.", "https://contoso.crm.dynamics.com"],
    ["org-1.crm.microsoftdynamics.us", "https://org-1.crm.microsoftdynamics.us"],
  ])("%s → %s", (input, url) => {
    expect(normalise(input).url).toBe(url);
  });

  it("derives the Web API host and the cloud", () => {
    expect(normalise("contoso.crm9.dynamics.com")).toEqual({
      url: "https://contoso.crm9.dynamics.com",
      apiUrl: "https://contoso.api.crm9.dynamics.com",
      host: "contoso.crm9.dynamics.com",
      orgName: "contoso",
      suffix: "crm9.dynamics.com",
      cloud: "GCC",
    });
    expect(normalise("a.crm.microsoftdynamics.us").cloud).toBe("GCC_HIGH");
    expect(normalise("a.crm.appsplatform.us").cloud).toBe("DOD");
    expect(normalise("a.crm.dynamics.cn").cloud).toBe("CHINA");
    expect(normalise("a.crm4.dynamics.com").cloud).toBe("PUBLIC");
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["x".repeat(2100), "too-long"],
    ["https://", "malformed"],
    ["ftp://contoso.crm.dynamics.com", "scheme"],
    ["file:///etc/passwd", "scheme"],
    ["https://admin:pw@contoso.crm.dynamics.com", "credentials"],
    ["https://attacker@contoso.crm.dynamics.com", "credentials"],
    ["https://127.0.0.1/", "ip-address"],
    ["https://[::1]/", "ip-address"],
    ["https://169.254.169.254/latest/meta-data", "ip-address"],
    ["https://contoso.crm.dynamics.com.evil.example", "not-dataverse"],
    ["https://evil.example/contoso.crm.dynamics.com", "not-dataverse"],
    ["https://crm.dynamics.com", "not-dataverse"],
    ["https://a.b.crm.dynamics.com", "not-dataverse"],
    ["https://api.crm.dynamics.com", "not-dataverse"],
    ["https://contoso.crm22.dynamics.com", "not-dataverse"],
    ["https://-bad.crm.dynamics.com", "not-dataverse"],
    ["https://contoso.crm.dynamics.com:8443", "port"],
  ])("refuses %s (%s)", (input, code) => {
    expect(codeOf(input)).toBe(code);
  });

  it("allows a non-standard port only on loopback (.localhost) names", () => {
    const local = ["crm.dynamics.localhost", "crm4.dynamics.localhost"];
    expect(
      normaliseEnvironmentUrl("https://contoso.api.crm4.dynamics.localhost:44300/api/data/v9.2", local),
    ).toMatchObject({
      url: "https://contoso.crm4.dynamics.localhost:44300",
      apiUrl: "https://contoso.api.crm4.dynamics.localhost:44300",
    });
    expect(codeOf("https://contoso.crm.dynamics.com", local)).toBe("outside-allow-list");
  });

  it("tells a real Microsoft address apart from a foreign one when the portal allows other hosts (the demo's emulator, another cloud)", () => {
    const local = ["crm.dynamics.localhost", "crm4.dynamics.localhost"];
    let error: unknown;
    try {
      normaliseEnvironmentUrl("https://Contoso.crm4.dynamics.com/main.aspx", local);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentUrlError);
    expect(error).toMatchObject({ code: "outside-allow-list", host: "contoso.crm4.dynamics.com" });
    expect((error as Error).message).toBe(
      "contoso.crm4.dynamics.com is a Dataverse address, but this portal connects only to environments ending in crm.dynamics.localhost or crm4.dynamics.localhost.",
    );
    // Not an environment address at all: still "not a Dataverse environment address".
    expect(codeOf("https://contoso.example.com", local)).toBe("not-dataverse");
    expect(codeOf("https://contoso.crm22.dynamics.com", local)).toBe("not-dataverse");
  });
});
