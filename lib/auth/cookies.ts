// The portal's cookie names and flags in one place. Over https (AUTH_URL is https) every cookie is Secure
// and `__Host-`-prefixed: the browser then refuses it unless it was set over https, for path "/" and with no
// Domain, so neither a sibling subdomain nor a plain-http response can plant or overwrite it.
import type { NextAuthConfig } from "next-auth";

type AuthCookies = NonNullable<NextAuthConfig["cookies"]>;

export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

/** Flags every portal cookie shares. */
export function cookieFlags(secure: boolean) {
  return { httpOnly: true, sameSite: "lax" as const, path: "/", secure };
}

const AUTH_FLOW_MAX_AGE = 15 * 60; // next-auth's own lifetime for the sign-in round trip's cookies

/** next-auth's cookies (its defaults would be `__Secure-`, which still allows a Domain attribute). */
export function authCookies(secure: boolean): AuthCookies {
  const cookie = (base: string, maxAge?: number) => ({
    name: cookieName(`authjs.${base}`, secure),
    options: { ...cookieFlags(secure), ...(maxAge ? { maxAge } : {}) },
  });
  return {
    sessionToken: cookie("session-token"),
    callbackUrl: cookie("callback-url"),
    csrfToken: cookie("csrf-token"),
    pkceCodeVerifier: cookie("pkce.code_verifier", AUTH_FLOW_MAX_AGE),
    state: cookie("state", AUTH_FLOW_MAX_AGE),
    nonce: cookie("nonce", AUTH_FLOW_MAX_AGE),
    webauthnChallenge: cookie("challenge", AUTH_FLOW_MAX_AGE),
  };
}
