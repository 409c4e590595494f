// Which of the app's credentials is presented to Entra ID first (rotation without downtime, lib/entra/credentials.ts).
import { describe, expect, it } from "vitest";
import {
  credentialLabel,
  credentialOrder,
  describeCredential,
  rejectionCode,
  REJECTION_AVOID_MS,
} from "@/lib/entra/credentials";
import type { ClientCredential } from "@/lib/config";

const now = new Date("2026-06-01T00:00:00Z");
const secret = (
  value: string,
  expiresAt: string | null,
  slot: "ENTRA_CLIENT_SECRET" | "ENTRA_CLIENT_SECRET_2" = "ENTRA_CLIENT_SECRET",
): ClientCredential => ({
  kind: "secret",
  slot,
  secret: value,
  expiresAt: expiresAt ? new Date(expiresAt) : null,
});
const slots = (order: ReturnType<typeof credentialOrder>) =>
  order.map((k) => (k.credential.kind === "secret" ? k.credential.secret : "certificate"));

describe("choosing a credential", () => {
  it("uses the valid one that expires last, whatever the configuration order", () => {
    const old = secret("old-secret", "2026-06-20T00:00:00Z");
    const fresh = secret("new-secret", "2028-06-01T00:00:00Z", "ENTRA_CLIENT_SECRET_2");
    expect(slots(credentialOrder([old, fresh], now, new Map()))).toEqual(["new-secret", "old-secret"]);
    expect(slots(credentialOrder([fresh, old], now, new Map()))).toEqual(["new-secret", "old-secret"]);
  });

  it("puts an expired credential last even when it was configured first", () => {
    const expired = secret("expired-secret", "2026-05-31T23:59:59Z");
    const unknown = secret("unknown-expiry", null, "ENTRA_CLIENT_SECRET_2");
    expect(slots(credentialOrder([expired, unknown], now, new Map()))).toEqual(["unknown-expiry", "expired-secret"]);
  });

  it("puts a known expiry before an unknown one, and keeps configuration order on a tie", () => {
    const unknown = secret("unknown-expiry", null);
    const known = secret("known-expiry", "2027-01-01T00:00:00Z", "ENTRA_CLIENT_SECRET_2");
    expect(slots(credentialOrder([unknown, known], now, new Map()))).toEqual(["known-expiry", "unknown-expiry"]);
    const a = secret("a-secret", null);
    const b = secret("b-secret", null, "ENTRA_CLIENT_SECRET_2");
    expect(slots(credentialOrder([a, b], now, new Map()))).toEqual(["a-secret", "b-secret"]);
  });

  it("avoids a credential Entra rejected for an hour, then tries it first again", () => {
    const newest = secret("newest-secret", "2028-01-01T00:00:00Z");
    const other = secret("other-secret", "2027-01-01T00:00:00Z", "ENTRA_CLIENT_SECRET_2");
    const rejected = new Map([
      [describeCredential(newest).id, { at: new Date(now.getTime() - 10 * 60_000), code: 7000215 }],
    ]);
    expect(slots(credentialOrder([newest, other], now, rejected))).toEqual(["other-secret", "newest-secret"]);
    const later = new Date(now.getTime() - 10 * 60_000 + REJECTION_AVOID_MS);
    expect(slots(credentialOrder([newest, other], later, rejected))).toEqual(["newest-secret", "other-secret"]);
  });

  it("reads a certificate's expiry from the certificate and names it by thumbprint; an unreadable one goes last among the valid", () => {
    const missing: ClientCredential = {
      kind: "certificate",
      slot: "ENTRA_CLIENT_CERTIFICATE_PATH",
      certificatePath: "/nonexistent/cert.pem",
      privateKeyPath: "/nonexistent/key.pem",
    };
    const known = describeCredential(missing);
    expect(known.unreadable).toBe(true);
    expect(known.expiresAt).toBeNull();
    expect(slots(credentialOrder([missing, secret("s-secret", "2027-01-01T00:00:00Z")], now, new Map()))).toEqual([
      "s-secret",
      "certificate",
    ]);
  });

  it("identifies a secret without revealing it", () => {
    const s = secret("Abc8Q~very-secret-value-0123456789abcdefgh", null);
    const { id } = describeCredential(s);
    expect(id).toMatch(/^secret:[0-9a-f]{16}$/);
    expect(id).not.toContain("Abc");
    expect(describeCredential(secret("Abc8Q~very-secret-value-0123456789abcdefgh", null)).id).toBe(id);
    expect(credentialLabel(s)).toBe("Client secret (ENTRA_CLIENT_SECRET)");
  });

  it("falls back on exactly the three codes that say the credential was not accepted", () => {
    expect([7000215, 7000222, 700027].map(rejectionCode)).toEqual([7000215, 7000222, 700027]);
    // Consent missing, tenant unknown, throttled: another credential would not help.
    expect([700016, 7000229, 90002, 50196, null, undefined].map(rejectionCode)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it("uses a managed identity first (nothing to expire) unless Entra rejected it; its federated-credential refusals count as rejections", () => {
    const identity: ClientCredential = {
      kind: "managed-identity",
      slot: "ENTRA_CLIENT_MANAGED_IDENTITY",
      clientId: "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
    };
    const fresh = secret("long-lived-secret", "2036-01-01T00:00:00Z", "ENTRA_CLIENT_SECRET_2");
    const kinds = (order: ReturnType<typeof credentialOrder>) => order.map((k) => k.credential.kind);
    expect(kinds(credentialOrder([fresh, identity], now, new Map()))).toEqual(["managed-identity", "secret"]);
    expect(describeCredential(identity)).toMatchObject({
      id: "managed-identity:8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
      expiresAt: null,
      neverExpires: true,
    });
    expect(credentialLabel(identity)).toBe("Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)");
    const rejected = new Map([
      [describeCredential(identity).id, { at: new Date(now.getTime() - 60_000), code: 700211 }],
    ]);
    expect(kinds(credentialOrder([identity, fresh], now, rejected))).toEqual(["secret", "managed-identity"]);
    for (const code of [70021, 700211, 700212, 700213, 7002138, 700024, 700226]) expect(rejectionCode(code)).toBe(code);
    // Not the credential's fault: the app disabled, the tenant without consent.
    for (const code of [7000112, 700016]) expect(rejectionCode(code)).toBeNull();
  });
});
