import "server-only";

// The bearer token on Microsoft's webhook calls (docs/protocol/marketplace.md M-57..M-60): an Entra access token the
// ISV's own tenant issued to the marketplace's app (20e940b3-…, as `azp` in v2.0 tokens, `appid` in v1.0) for the
// ISV's app registration (`aud`). Checked here: the signature against the tenant's JWKS (cached, fetched through
// lib/http/outbound.ts), the issuer (the tenant's v1.0 or v2.0 issuer: the version follows the app's manifest),
// the audience, the lifetime, `tid`, and the caller. Anything else is refused before the body is looked at.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import { config } from "@/lib/config";
import { outboundFetch } from "@/lib/http/outbound";

/** The Marketplace SaaS API's application: the caller of every genuine webhook call. */
export const MARKETPLACE_APP_ID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7";

export type WebhookTokenFailure = { status: 401 | 503; detail: string };

type Verifier = {
  key: ReturnType<typeof createRemoteJWKSet>;
  issuers: string[];
  audiences: string[];
  tenantId: string;
};
let verifier: { for: string; value: Verifier } | undefined;

function currentVerifier(): Verifier | null {
  const c = config();
  const { authorityHost, homeTenantId, clientId } = c.entra;
  if (!homeTenantId || !clientId) return null;
  const id = `${authorityHost}|${homeTenantId}|${clientId}`;
  if (verifier?.for !== id) {
    const key = createRemoteJWKSet(new URL(`${authorityHost}/${homeTenantId}/discovery/v2.0/keys`), {
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
        issuers: [`https://sts.windows.net/${homeTenantId}/`, `${authorityHost}/${homeTenantId}/v2.0`],
        audiences: [clientId, `api://${clientId}`],
        tenantId: homeTenantId,
      },
    };
  }
  return verifier.value;
}

function describe(error: unknown): WebhookTokenFailure {
  if (error instanceof errors.JWTExpired) return { status: 401, detail: "The bearer token expired." };
  if (error instanceof errors.JWTClaimValidationFailed)
    return {
      status: 401,
      detail: `The bearer token's '${error.claim}' claim is not the one Microsoft's marketplace sends to this publisher.`,
    };
  if (error instanceof errors.JWKSTimeout || (error instanceof Error && error.name === "OutboundError")) {
    return { status: 503, detail: "Microsoft Entra ID's signing keys could not be read; try again." };
  }
  if (error instanceof errors.JOSEError)
    return { status: 401, detail: "The bearer token's signature or format is not valid." };
  throw error;
}

/** Whether the Authorization header carries Microsoft's token for this publisher, or why not. */
export async function verifyMarketplaceWebhookToken(
  authorization: string | null,
): Promise<{ ok: true } | { ok: false; failure: WebhookTokenFailure }> {
  if (!authorization)
    return { ok: false, failure: { status: 401, detail: "A bearer token from Microsoft Entra ID is required." } };
  const token = /^Bearer +([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/i.exec(authorization.trim())?.[1];
  if (!token)
    return { ok: false, failure: { status: 401, detail: "The Authorization header must be 'Bearer <token>'." } };
  const v = currentVerifier();
  if (!v)
    return {
      ok: false,
      failure: {
        status: 503,
        detail: "ENTRA_CLIENT_ID and ENTRA_HOME_TENANT_ID are not configured, so no token can be accepted.",
      },
    };
  let payload: JWTPayload & { tid?: unknown; azp?: unknown; appid?: unknown; scp?: unknown };
  try {
    ({ payload } = await jwtVerify(token, v.key, {
      issuer: v.issuers,
      audience: v.audiences,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat"],
      clockTolerance: 60,
    }));
  } catch (error) {
    return { ok: false, failure: describe(error) };
  }
  if (typeof payload.tid !== "string" || payload.tid.toLowerCase() !== v.tenantId)
    return {
      ok: false,
      failure: { status: 401, detail: "The bearer token was not issued by the publisher's tenant." },
    };
  const caller = typeof payload.azp === "string" ? payload.azp : typeof payload.appid === "string" ? payload.appid : "";
  if (caller.toLowerCase() !== MARKETPLACE_APP_ID)
    return {
      ok: false,
      failure: { status: 401, detail: "The bearer token was not issued to Microsoft's marketplace." },
    };
  if (payload.scp !== undefined)
    return {
      ok: false,
      failure: { status: 401, detail: "The bearer token is a user's token, not the marketplace's own." },
    };
  return { ok: true };
}
