import "server-only";

// The bearer-token check of /api/v1 (docs/protocol/entra.md "The portal's own API"): an Entra access token issued
// by the ISV's home tenant for the portal's own API, v2.0, app-only, carrying the application role
// Connections.Read. jose verifies the signature against the authority's JWKS (cached; fetched through the one
// outbound door, lib/http/outbound.ts, so timeouts and the demo's loopback names apply), the issuer, the
// audience and the expiry; the role and the token kind are checked here.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import { config } from "@/lib/config";
import { outboundFetch } from "@/lib/http/outbound";

/** The application role a caller needs (an app role of type Application on the portal's registration). */
export const CONNECTIONS_READ_ROLE = "Connections.Read";

export type ApiCaller = { appId: string; tenantId: string; roles: string[] };

export type ApiAuthFailure = {
  status: 401 | 403 | 503;
  /** RFC 6750 error code for WWW-Authenticate; absent when no token was presented (RFC 6750 §3.1). */
  error?: "invalid_request" | "invalid_token" | "insufficient_scope";
  detail: string;
};

type Verifier = { key: ReturnType<typeof createRemoteJWKSet>; issuer: string; audiences: string[] };
let verifier: { for: string; value: Verifier } | undefined;

function currentVerifier(): Verifier | null {
  const c = config();
  const { authorityHost, homeTenantId, clientId } = c.entra;
  if (!homeTenantId || !clientId) return null;
  const id = `${authorityHost}|${homeTenantId}|${clientId}`;
  if (verifier?.for !== id) {
    // The tenant's jwks_uri as Entra publishes it in the tenant's v2 discovery document (docs/protocol/entra.md A1).
    const jwksUri = new URL(`${authorityHost}/${homeTenantId}/discovery/v2.0/keys`);
    const key = createRemoteJWKSet(jwksUri, {
      cacheMaxAge: 24 * 60 * 60 * 1000,
      cooldownDuration: 5 * 60 * 1000,
      timeoutDuration: c.dataverse.outboundTimeoutMs,
      [customFetch]: async (url: string, options: { headers: Headers }) =>
        (await outboundFetch("entra", url, {
          headers: Object.fromEntries(options.headers.entries()),
        })) as unknown as Response,
    });
    verifier = {
      for: id,
      value: {
        key,
        issuer: `${authorityHost}/${homeTenantId}/v2.0`,
        // v2.0 tokens carry the client id; `api://<client id>` is what a v1.0 token for the Application ID URI carries.
        audiences: [clientId, `api://${clientId}`],
      },
    };
  }
  return verifier.value;
}

function bearerToken(request: Request): string | null | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim());
  return match ? match[1]! : null;
}

function describe(error: unknown): ApiAuthFailure {
  if (error instanceof errors.JWTExpired)
    return {
      status: 401,
      error: "invalid_token",
      detail: "The access token expired. Get a new one from Microsoft Entra ID.",
    };
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss")
      return {
        status: 401,
        error: "invalid_token",
        detail:
          "The access token was not issued by the vendor's tenant (v2.0 issuer). Request it from the vendor's tenant.",
      };
    if (error.claim === "aud")
      return {
        status: 401,
        error: "invalid_token",
        detail:
          "The access token is for another audience. Request it with the scope api://<portal client id>/.default.",
      };
    if (error.claim === "nbf")
      return { status: 401, error: "invalid_token", detail: "The access token is not valid yet." };
    return { status: 401, error: "invalid_token", detail: `The access token's '${error.claim}' claim is not valid.` };
  }
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && error.name === "OutboundError")) {
    return {
      status: 503,
      detail: "The portal could not reach Microsoft Entra ID to read its signing keys. Try again shortly.",
    };
  }
  if (error instanceof errors.JOSEError)
    return { status: 401, error: "invalid_token", detail: "The access token's signature or format is not valid." };
  throw error;
}

/** Who is calling, or why not. */
export async function authenticateApiRequest(
  request: Request,
): Promise<{ ok: true; caller: ApiCaller } | { ok: false; failure: ApiAuthFailure }> {
  const token = bearerToken(request);
  if (token === undefined)
    return {
      ok: false,
      failure: {
        status: 401,
        detail: "Send an Entra access token for the portal's API: Authorization: Bearer <token>.",
      },
    };
  if (token === null)
    return {
      ok: false,
      failure: { status: 401, error: "invalid_request", detail: "The Authorization header must be 'Bearer <token>'." },
    };
  const v = currentVerifier();
  if (!v)
    return {
      ok: false,
      failure: {
        status: 503,
        detail: "ENTRA_CLIENT_ID and ENTRA_HOME_TENANT_ID are not configured, so no token can be accepted.",
      },
    };
  let payload: JWTPayload & { roles?: unknown; azp?: unknown; tid?: unknown; scp?: unknown };
  try {
    ({ payload } = await jwtVerify(token, v.key, {
      issuer: v.issuer,
      audience: v.audiences,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat"],
      clockTolerance: 60,
    }));
  } catch (error) {
    return { ok: false, failure: describe(error) };
  }
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
  if (payload.scp !== undefined) {
    return {
      ok: false,
      failure: {
        status: 403,
        error: "insufficient_scope",
        detail: "This API accepts application (client-credentials) tokens only, not tokens of a signed-in user.",
      },
    };
  }
  if (!roles.includes(CONNECTIONS_READ_ROLE)) {
    return {
      ok: false,
      failure: {
        status: 403,
        error: "insufficient_scope",
        detail: `The calling application needs the application role ${CONNECTIONS_READ_ROLE} on the portal's API, granted by an administrator of the vendor's tenant.`,
      },
    };
  }
  const appId =
    typeof payload.azp === "string"
      ? payload.azp
      : typeof (payload as { appid?: unknown }).appid === "string"
        ? String((payload as { appid?: unknown }).appid)
        : "unknown";
  return { ok: true, caller: { appId, tenantId: String(payload.tid ?? ""), roles } };
}

/** The WWW-Authenticate challenge of a failure (RFC 6750 §3). */
export function challengeHeader(failure: ApiAuthFailure): string {
  const realm = 'Bearer realm="api/v1"';
  if (!failure.error) return realm;
  const description = failure.detail.replace(/["\\]/g, "'");
  return `${realm}, error="${failure.error}", error_description="${description}"${failure.error === "insufficient_scope" ? `, scope="${CONNECTIONS_READ_ROLE}"` : ""}`;
}
