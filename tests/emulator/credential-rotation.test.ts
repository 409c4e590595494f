/**
 * The app registration holds several credentials, each with its own end date (docs/protocol/entra.md A4/A5,
 * "Credential rotation"): a secret past its end → AADSTS7000222 while another secret still works; a secret the
 * registration does not (or no longer) hold → 7000215; a certificate not registered or expired → 700027. Admin
 * controls add, expire and remove each kind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importPKCS8, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { startEmulator, scenario, testCredentials, type EmulatorHandle } from "@tenant-onboarding/emulator";
import { tenantId, tokenRequest } from "./helpers";

let emu: EmulatorHandle;
let contoso: string;

beforeAll(async () => {
  emu = await startEmulator({
    scenario: scenario({
      credentials: testCredentials(),
      customers: [{ name: "Contoso", environments: [{ name: "contoso" }] }],
    }),
  });
  contoso = tenantId(emu, "Contoso");
});
beforeEach(() => emu.admin.reset());
afterAll(async () => {
  await emu.close();
});

const withSecret = (secret: string) =>
  tokenRequest(emu, contoso, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_secret: secret,
    scope: `${emu.environmentUrl("contoso")}/.default`,
  });

async function withCertificate(keyPem: string, thumbprintSha256: string) {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({
      alg: "PS256",
      typ: "JWT",
      "x5t#S256": Buffer.from(thumbprintSha256, "hex").toString("base64url"),
    })
    .setIssuer(emu.scenario.app.clientId)
    .setSubject(emu.scenario.app.clientId)
    .setAudience(`${emu.authorityHost}/${contoso}/oauth2/v2.0/token`)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .sign(await importPKCS8(keyPem, "PS256"));
  return tokenRequest(emu, contoso, {
    grant_type: "client_credentials",
    client_id: emu.scenario.app.clientId,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: assertion,
    scope: `${emu.environmentUrl("contoso")}/.default`,
  });
}

const codeOf = (r: { body: Record<string, unknown> }) => (r.body.error_codes as number[] | undefined)?.[0];

describe("several credentials on one app registration", () => {
  it("expires one secret while a second one keeps working, and refuses a removed one as unknown", async () => {
    const first = testCredentials().secret;
    const second = emu.admin.addSecret({ expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString() });
    expect((await withSecret(first.value)).status).toBe(200);
    expect((await withSecret(second.value)).status).toBe(200);

    emu.admin.expireSecret(first.keyId);
    const expired = await withSecret(first.value);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe("invalid_client");
    expect(codeOf(expired)).toBe(7000222);
    expect((await withSecret(second.value)).status).toBe(200);

    emu.admin.removeSecret(first.keyId);
    const removed = await withSecret(first.value);
    expect(removed.status).toBe(401);
    expect(codeOf(removed)).toBe(7000215);
  });

  it("adds a certificate that works at once; an expired or removed certificate gives 700027", async () => {
    const added = emu.admin.addCertificate();
    const cert = emu.scenario.app.certificates.find((c) => c.keyId === added.keyId)!;
    expect(added.keyPem).not.toBeNull();
    expect((await withCertificate(added.keyPem!, cert.thumbprintSha256)).status).toBe(200);

    emu.admin.expireCertificate(added.keyId);
    const expired = await withCertificate(added.keyPem!, cert.thumbprintSha256);
    expect(expired.status).toBe(401);
    expect(codeOf(expired)).toBe(700027);
    expect(String(expired.body.error_description)).toContain("The key used is expired");

    emu.admin.removeCertificate(added.keyId);
    const removed = await withCertificate(added.keyPem!, cert.thumbprintSha256);
    expect(codeOf(removed)).toBe(700027);
    expect(String(removed.body.error_description)).toContain("The key was not found");
  });

  it("refuses bad admin input with a 4xx", () => {
    expect(() => emu.admin.removeCertificate(randomUUID())).toThrow(/No certificate/);
    expect(() => emu.admin.addCertificate({ certPem: "not a certificate" })).toThrow(/not a PEM certificate/);
  });
});
