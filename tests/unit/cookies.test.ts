import { describe, expect, it } from "vitest";
import { authCookies, cookieName } from "@/lib/auth/cookies";
import { openOriginReference, sealOriginReference } from "@/lib/auth/sign-in-origin";

describe("cookie names and flags", () => {
  it("over https every cookie is __Host-, Secure, path / and without a Domain", () => {
    expect(cookieName("onboarding_origin", true)).toBe("__Host-onboarding_origin");
    const cookies = authCookies(true);
    expect(Object.keys(cookies).sort()).toEqual([
      "callbackUrl",
      "csrfToken",
      "nonce",
      "pkceCodeVerifier",
      "sessionToken",
      "state",
      "webauthnChallenge",
    ]);
    for (const [key, cookie] of Object.entries(cookies)) {
      expect(cookie.name, key).toMatch(/^__Host-authjs\./);
      expect(cookie.options, key).toMatchObject({ secure: true, path: "/", httpOnly: true, sameSite: "lax" });
      expect(cookie.options, key).not.toHaveProperty("domain");
    }
    expect(cookies.sessionToken?.name).toBe("__Host-authjs.session-token");
    expect(cookies.sessionToken?.options).not.toHaveProperty("maxAge"); // the session's own lifetime applies
    expect(cookies.state?.options?.maxAge).toBe(900);
  });

  it("over plain http (the local demo) the names carry no prefix and nothing is Secure", () => {
    expect(cookieName("onboarding_origin", false)).toBe("onboarding_origin");
    for (const cookie of Object.values(authCookies(false))) {
      expect(cookie.name).toMatch(/^authjs\./);
      expect(cookie.options?.secure).toBe(false);
    }
  });
});

describe("the sign-in origin cookie's value", () => {
  const secret = "s".repeat(32);
  const invitationId = "0199a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
  const exp = Math.floor(Date.now() / 1000) + 600;

  it("names the invitation row, never the invitation token, and opens only with the same secret", () => {
    const sealed = sealOriginReference({ source: "appsource", invitationId, exp }, secret);
    expect(openOriginReference(sealed, secret)).toEqual({ source: "appsource", invitationId, exp });
    expect(openOriginReference(sealed, "t".repeat(32))).toBeNull();
    expect(Buffer.from(sealed.split(".")[0]!, "base64url").toString()).not.toMatch(/token/i);
  });

  it("refuses an edited, truncated, expired or legacy (raw JSON with the token) value", () => {
    const sealed = sealOriginReference({ source: null, invitationId, exp }, secret);
    const [payload, signature] = sealed.split(".") as [string, string];
    const edited = Buffer.from(
      JSON.stringify({ source: null, invitationId: "0199a1b2-c3d4-7e5f-8a6b-000000000000", exp }),
    ).toString("base64url");
    expect(openOriginReference(`${edited}.${signature}`, secret)).toBeNull();
    expect(openOriginReference(payload, secret)).toBeNull();
    expect(openOriginReference(`${sealed}.x`, secret)).toBeNull();
    expect(openOriginReference(sealed, secret, (exp + 1) * 1000)).toBeNull();
    expect(openOriginReference(JSON.stringify({ source: "appsource", invitation: "A".repeat(43) }), secret)).toBeNull();
  });
});
