// The emulator's server certificate names every environment exactly in the usual scenarios, and one wildcard per
// region in large ones (10,000 environments made the certificate too large for one TLS handshake message).
import { checkServerIdentity } from "node:tls";
import { describe, expect, it } from "vitest";
import { certificateDnsNames, environmentHost, WILDCARD_FROM_ENVIRONMENTS } from "@tenant-onboarding/emulator/testing";

const envs = (n: number, region = "crm") => Array.from({ length: n }, (_, i) => ({ name: `org${i}`, region }));
const identity = (names: string[]) =>
  ({ subjectaltname: names.map((n) => `DNS:${n}`).join(", ") }) as Parameters<typeof checkServerIdentity>[1];

describe("emulator certificate names", () => {
  it("names each environment (and its api. host) exactly in a usual scenario", () => {
    const names = certificateDnsNames(envs(3));
    expect(names).toContain("org2.crm.dynamics.localhost");
    expect(names).toContain("org2.api.crm.dynamics.localhost");
    expect(names.some((n) => n.startsWith("*."))).toBe(false);
  });

  it("uses one wildcard per region above the threshold, which still covers every environment host", () => {
    const many = [...envs(WILDCARD_FROM_ENVIRONMENTS, "crm"), ...envs(5, "crm4")];
    const names = certificateDnsNames(many);
    expect(names.filter((n) => n.startsWith("*."))).toEqual([
      "*.crm.dynamics.localhost",
      "*.api.crm.dynamics.localhost",
      "*.crm4.dynamics.localhost",
      "*.api.crm4.dynamics.localhost",
    ]);
    expect(names.length).toBeLessThan(10);
    for (const env of [many[0]!, many[many.length - 1]!]) {
      expect(checkServerIdentity(environmentHost(env), identity(names))).toBeUndefined();
      expect(checkServerIdentity(environmentHost(env, true), identity(names))).toBeUndefined();
    }
    // A wildcard covers one label only: nothing outside the emulated Dataverse hosts.
    expect(checkServerIdentity("evil.example.com", identity(names))).toBeInstanceOf(Error);
  });
});
