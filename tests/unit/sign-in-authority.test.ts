// The portal's sign-in endpoints driven through @auth/core's real sign-in and callback (no network: fetch is
// stubbed with what Entra answers), on login.microsoftonline.com and on another host (the emulator's): the
// browser goes to `organizations`, the code is redeemed there, and the ID token's `iss` must be exactly
// `https://<host>/<tid>/v2.0` of the token's own tenant.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Auth } from "@auth/core";
import MicrosoftEntraID from "@auth/core/providers/microsoft-entra-id";
import { SignJWT, generateKeyPair } from "jose";
import { parseConfig } from "@/lib/config";
import { signInEndpoints } from "@/lib/auth/sign-in-authority";

const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const HOME = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const CUSTOMER = "c0a3e5f1-2d4b-4a6c-8e9f-1b2c3d4e5f60";
const OTHER = "0e1d2c3b-4a59-4867-8756-a4b3c2d1e0f9";
const PORTAL = "http://portal.test";

function configFor(authorityHost: string, tenancy: "multi" | "single" = "multi") {
  return parseConfig({
    ENTRA_CLIENT_ID: CLIENT_ID,
    ENTRA_HOME_TENANT_ID: HOME,
    ENTRA_CLIENT_SECRET: "secret-value",
    ENTRA_AUTHORITY_HOST: authorityHost,
    TENANCY_MODE: tenancy,
    DATABASE_URL: "postgresql://portal:s3cret@db.internal:5432/portal",
    AUTH_SECRET: "k".repeat(32),
    AUTH_URL: PORTAL,
  });
}

const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

/** Runs sign-in then the callback; `idTokenIssuer` is what the token endpoint's ID token says. */
async function roundTrip(
  authorityHost: string,
  tid: string,
  idTokenIssuer: (host: string, tid: string) => string,
  tenancy: "multi" | "single" = "multi",
) {
  const c = configFor(authorityHost, tenancy);
  const endpoints = signInEndpoints(c);
  const authConfig = {
    secret: "k".repeat(32),
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt" as const },
    providers: [
      MicrosoftEntraID({
        clientId: CLIENT_ID,
        clientSecret: "secret-value",
        issuer: endpoints.issuer,
        authorization: { url: endpoints.authorizationUrl, params: { scope: "openid profile email" } },
        token: endpoints.tokenUrl,
        checks: ["pkce", "state", "nonce"],
        profile: (p) => ({ id: `${p.tid}:${p.oid}` }),
      }),
    ],
  };
  const { privateKey } = await generateKeyPair("RS256");
  const requested: string[] = [];
  let nonce = "";
  vi.stubGlobal("fetch", async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    requested.push(`${init?.method ?? "GET"} ${url.href}`);
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (url.origin === authorityHost && discovery) {
      const segment = discovery[1]!;
      return Response.json({
        issuer: `${authorityHost}/${segment}/v2.0`,
        authorization_endpoint: `${authorityHost}/${segment}/oauth2/v2.0/authorize`,
        token_endpoint: `${authorityHost}/${segment}/oauth2/v2.0/token`,
        jwks_uri: `${authorityHost}/${segment}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (url.href === endpoints.tokenUrl && init?.method === "POST") {
      const idToken = await new SignJWT({ tid, oid: OTHER, nonce, ver: "2.0" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(idTokenIssuer(authorityHost, tid))
        .setAudience(CLIENT_ID)
        .setSubject("subject")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey);
      return Response.json({
        token_type: "Bearer",
        access_token: "at",
        expires_in: 3600,
        id_token: idToken,
        scope: "openid profile email",
      });
    }
    return new Response("not stubbed", { status: 599 });
  });

  const csrf = await Auth(new Request(`${PORTAL}/api/auth/csrf`), authConfig);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await Auth(
    new Request(`${PORTAL}/api/auth/signin/microsoft-entra-id`, {
      method: "POST",
      headers: { cookie: cookiesOf(csrf), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${PORTAL}/onboarding` }),
    }),
    authConfig,
  );
  const authorize = new URL(signIn.headers.get("location") ?? "");
  nonce = authorize.searchParams.get("nonce") ?? "";
  const callback = await Auth(
    new Request(
      `${PORTAL}/api/auth/callback/microsoft-entra-id?code=the-code&state=${encodeURIComponent(authorize.searchParams.get("state") ?? "")}`,
      {
        headers: { cookie: `${cookiesOf(signIn)}; ${cookiesOf(csrf)}` },
      },
    ),
    authConfig,
  );
  const sessionCookie = callback.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token="));
  return { authorize, callbackLocation: callback.headers.get("location") ?? "", sessionCookie, requested };
}

const perTenant = (host: string, tid: string) => `${host}/${tid}/v2.0`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe.each([
  ["login.microsoftonline.com", "https://login.microsoftonline.com"],
  ["the emulator's host", "https://127.0.0.1:44530"],
])("sign-in through %s", (_name, host) => {
  it("goes to `organizations`, redeems the code there and accepts the issuer of the token's own tenant", async () => {
    const result = await roundTrip(host, CUSTOMER, perTenant);
    expect(`${result.authorize.origin}${result.authorize.pathname}`).toBe(
      `${host}/organizations/oauth2/v2.0/authorize`,
    );
    expect(result.authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(result.requested).toEqual([
      `POST ${host}/organizations/oauth2/v2.0/token`,
      `GET ${host}/${CUSTOMER}/v2.0/.well-known/openid-configuration`,
    ]);
    expect(result.callbackLocation).toBe(`${PORTAL}/onboarding`);
    expect(result.sessionCookie).toBe(true);
  });

  it("refuses an ID token whose issuer is another tenant's, `organizations`' or `common`'s", async () => {
    for (const wrong of [
      (h: string) => `${h}/${OTHER}/v2.0`,
      (h: string) => `${h}/organizations/v2.0`,
      (h: string) => `${h}/common/v2.0`,
      (h: string, t: string) => `${h}/${t}/v2.0/`,
    ]) {
      const result = await roundTrip(host, CUSTOMER, wrong);
      expect(result.sessionCookie).toBe(false);
      expect(result.callbackLocation).toMatch(/\/api\/auth\/(error|signin)\?error=/);
    }
  });

  it("single-tenant: the home tenant's authority and issuer only", async () => {
    const home = await roundTrip(host, HOME, perTenant, "single");
    expect(`${home.authorize.origin}${home.authorize.pathname}`).toBe(`${host}/${HOME}/oauth2/v2.0/authorize`);
    expect(home.sessionCookie).toBe(true);
    const customer = await roundTrip(host, CUSTOMER, perTenant, "single");
    expect(customer.sessionCookie).toBe(false);
  });
});
