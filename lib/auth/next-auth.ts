import "server-only";

// next-auth v5 with the Microsoft Entra ID provider, multi-tenant through the `organizations` authority (personal
// accounts are refused by Microsoft on its own page). The provider validates `iss` against the token's own `tid`
// (it re-discovers <authority>/<tid>/v2.0 at the callback and oauth4webapi requires an exact match), plus nonce,
// state and PKCE; we never turn any of it off. Who may then sign in is decided by
// decideSignIn(); the session itself lives in the database (lib/data/sessions.ts).
import NextAuth, { customFetch } from "next-auth";
import MicrosoftEntraID from "next-auth/providers/microsoft-entra-id";
import { clientAssertion } from "@/lib/entra/client-certificate";
import { config, servedOverHttps, type PortalConfig } from "@/lib/config";
import { credentialOrder, credentialsReady, type KnownCredential } from "@/lib/entra/credentials";
import { federatedAssertion } from "@/lib/entra/managed-identity";
import { parseEntraErrorBody } from "@/lib/entra/token-errors";
import { authCookies } from "@/lib/auth/cookies";
import { authenticatedAt, decideSignIn } from "@/lib/auth/sign-in-policy";
import { readSignInOrigin } from "@/lib/auth/sign-in-origin";
import { endSession, findActiveSession, startSession } from "@/lib/data/sessions";
import { resolveOrganisationNameInBackground } from "@/lib/entra/organisation-name";
import { systemScope } from "@/lib/data/scope";
import { signInEndpoints } from "@/lib/auth/sign-in-authority";
import { recordSignIn, recordTokenRequest } from "@/lib/observability/metrics";

export const ENTRA_PROVIDER_ID = "microsoft-entra-id";

const policyOf = (c: PortalConfig) => ({
  tenancy: c.entra.tenancy,
  homeTenantId: c.entra.homeTenantId ?? "",
  staffRoles: [c.entra.supportOperatorRole, c.entra.supportAdminRole],
  adminRoleIds: c.entra.customerAdminRoleIds,
});

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The Entra provider of next-auth, authenticating the code exchange with the app's secret or certificate.
 * next-auth's own private_key_jwt sends an assertion without the `x5t#S256` header and with an array audience,
 * which Entra does not accept; so the exchange is sent as a public-client request and the credential Entra
 * expects — `client_secret` (client_secret_post) or the assertion of docs/protocol/entra.md A4 — is added to
 * the token request on its way out. That one place also rotates: the newest valid credential is tried first, and
 * when Entra rejects it (7000215 / 7000222 / 700027) the same request is sent again with the other one (client
 * authentication fails before the code is looked at, so the code is still unused).
 */
function entraProvider(c: PortalConfig) {
  const { clientId, credentials } = c.entra;
  if (!clientId || credentials.length === 0) return [];
  const endpoints = signInEndpoints(c);
  const provider = MicrosoftEntraID({
    clientId,
    client: { token_endpoint_auth_method: "none" },
    // `organizations` in multi-tenant mode, with the per-tenant issuer check of @auth/core (lib/auth/sign-in-authority.ts).
    issuer: endpoints.issuer,
    authorization: { url: endpoints.authorizationUrl, params: { scope: "openid profile email" } },
    token: endpoints.tokenUrl,
    checks: ["pkce", "state", "nonce"],
    // The default profile() fetches a photo from Microsoft Graph; we need none of it.
    profile: (p) => ({ id: `${p.tid}:${p.oid}`, name: p.name ?? null, email: p.preferred_username ?? null }),
  });
  const withProviderFetch = provider as unknown as Record<symbol, FetchLike | undefined>;
  const inner: FetchLike = withProviderFetch[customFetch] ?? fetch;
  withProviderFetch[customFetch] = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (!(
      init?.method === "POST" &&
      url.pathname.endsWith("/oauth2/v2.0/token") &&
      init.body instanceof URLSearchParams
    ))
      return inner(input, init);
    const form = init.body;
    await credentialsReady(credentials, c.keyVault.refreshMinutes);
    const order = credentialOrder(credentials);
    for (const [index, credential] of order.entries()) {
      const body = await withCredential(c, form, credential, `${url.origin}${url.pathname}`);
      const response = await inner(input, { ...init, body });
      recordTokenRequest("sign-in", response.status < 300 ? "issued" : response.status < 500 ? "refused" : "error");
      const next = order[index + 1] ?? null;
      if (response.status !== 400 && response.status !== 401) return response;
      const detail = parseEntraErrorBody(
        response.status,
        await response
          .clone()
          .json()
          .catch(() => null),
      );
      const { credentialRejected } = await import("@/lib/entra/msal");
      if (!(await credentialRejected(credential, detail, next, "sign-in")) || !next) return response;
    }
    return inner(input, init);
  };
  return [provider];
}

async function withCredential(
  c: PortalConfig,
  form: URLSearchParams,
  known: KnownCredential,
  audience: string,
): Promise<URLSearchParams> {
  const body = new URLSearchParams(form);
  for (const name of ["client_secret", "client_assertion", "client_assertion_type"]) body.delete(name);
  if (known.credential.kind === "secret") {
    body.set("client_secret", known.credential.secret);
  } else {
    body.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    // A managed identity's token (federated credential, lib/entra/managed-identity.ts) or a certificate's own assertion.
    body.set(
      "client_assertion",
      known.credential.kind === "managed-identity"
        ? await federatedAssertion(known.credential.clientId)
        : await clientAssertion(c, known.credential, audience),
    );
  }
  return body;
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const c = config();
  return {
    secret: c.sessionSecret,
    trustHost: true,
    // Over https: Secure `__Host-` cookies. Otherwise (the demo on http://localhost) next-auth's defaults.
    ...(servedOverHttps(c) ? { useSecureCookies: true, cookies: authCookies(true) } : {}),
    session: { strategy: "jwt", maxAge: c.sessionMaxAgeSeconds },
    pages: { signIn: "/signin", error: "/signin" },
    providers: entraProvider(c),
    events: {
      // Every sign-out ends the server-side session, whoever asks for it: the portal's own button and Auth.js's own
      // POST /api/auth/signout alike (ASVS 3.3.1); otherwise the cookie's value, copied, would still open the portal.
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        const session = typeof sid === "string" ? await findActiveSession(sid) : null;
        if (session) await endSession(session);
      },
    },
    callbacks: {
      signIn({ profile }) {
        const decision = decideSignIn(profile ?? {}, policyOf(c));
        recordSignIn(decision.allowed ? "allowed" : "refused", decision.allowed ? "none" : decision.reason);
        return decision.allowed ? true : `/signin/refused?reason=${decision.reason}`;
      },
      async jwt({ token, profile, trigger }) {
        if (trigger === "signIn" && profile) {
          const decision = decideSignIn(profile, policyOf(c));
          if (!decision.allowed) throw new Error("sign-in refused after the signIn callback accepted it");
          token.sid = await startSession(
            {
              tenantId: decision.tenantId,
              objectId: String(profile.oid).toLowerCase(),
              name: typeof profile.name === "string" ? profile.name : null,
              userPrincipalName: typeof profile.preferred_username === "string" ? profile.preferred_username : null,
              kind: decision.kind,
              roles: decision.roles,
              tenantAdmin: decision.tenantAdmin,
              authenticatedAt: authenticatedAt(profile.auth_time),
            },
            await readSignInOrigin(),
            c.sessionMaxAgeSeconds,
          );
          // The organisation's name from Microsoft Graph, once per tenant; the sign-in does not wait for it.
          if (decision.kind === "customer")
            resolveOrganisationNameInBackground(systemScope(decision.tenantId, "organisation name"));
          // Keep the cookie small and free of personal data beyond what next-auth stores by default.
          delete token.picture;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, sid: typeof token.sid === "string" ? token.sid : undefined };
      },
    },
  };
});
