/**
 * Bearer-token checks of a Dataverse environment (docs/protocol/dataverse.md B2, B6):
 * no token, bad signature, expired, wrong audience or a token from another tenant → 401 with
 *   WWW-Authenticate: Bearer authorization_uri=https://<authority>/<tenant GUID>/oauth2/authorize, resource_id=https://<org host>/
 * (single space after Bearer, comma-separated, unquoted, org host not the .api. one, trailing slash).
 */
import type { EmulatorContext } from "../context";
import { sameGuid } from "../guid";
import { environmentHost } from "../hosts";
import { header } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { Environment } from "../scenario";
import type { TokenIdentity } from "./security";

export function dataverseChallenge(authority: string, tenantSegment: string, resourceId: string): string {
  return `Bearer authorization_uri=${authority}/${tenantSegment}/oauth2/authorize, resource_id=${resourceId}`;
}

export function unauthorizedResponse(challenge: string, reason: string | undefined): EmulatorResponse {
  // The 401 body is [U]; empty for the unauthenticated probe, a short OData error otherwise.
  if (reason === undefined)
    return { status: 401, headers: { "www-authenticate": challenge, "content-length": "0" }, body: "" };
  return {
    status: 401,
    headers: {
      "www-authenticate": challenge,
      "content-type": "application/json; odata.metadata=minimal",
      "odata-version": "4.0",
    },
    body: JSON.stringify({ error: { code: "", message: reason } }),
  };
}

/** Accepted audiences: the origin (with or without trailing slash) of the given hosts. */
export function audienceMatches(aud: unknown, hosts: string[], port: number): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  const accepted = new Set(hosts.flatMap((h) => [`https://${h}:${port}`, `https://${h}:${port}/`]));
  return values.some((v) => typeof v === "string" && accepted.has(v.toLowerCase()));
}

export type BearerResult =
  { ok: true; identity: TokenIdentity; claims: Record<string, unknown> } | { ok: false; response: EmulatorResponse };

/** Validates the bearer token of a request to `env` (signature with our JWKS, exp/nbf, aud, tid, iss). */
export async function authenticateEnvironmentRequest(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  env: Environment,
): Promise<BearerResult> {
  const challenge = dataverseChallenge(
    ctx.state.authority,
    env.tenantId,
    `https://${environmentHost(env)}:${ctx.state.port}/`,
  );
  return validateBearer(ctx, req, {
    challenge,
    hosts: [environmentHost(env), environmentHost(env, true)],
    tenantId: env.tenantId,
  });
}

export async function validateBearer(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  expectation: { challenge: string; hosts: string[]; tenantId?: string },
): Promise<BearerResult> {
  const authorization = header(req, "authorization");
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (!token) return { ok: false, response: unauthorizedResponse(expectation.challenge, undefined) };
  let claims: Record<string, unknown>;
  try {
    claims = (await ctx.signer.verify(token, ctx.state.scenario.settings.dataverseClockSkewSeconds)).payload;
  } catch (error) {
    const reason =
      error instanceof Error && /exp/i.test(error.message)
        ? "The access token has expired."
        : "The access token is invalid (signature validation failed).";
    return { ok: false, response: unauthorizedResponse(expectation.challenge, reason) };
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  req.log.tokenTid = tid;
  if (typeof claims.appid === "string") req.log.tokenAppId = claims.appid;
  if (typeof claims.oid === "string") req.log.tokenOid = claims.oid;
  if (!audienceMatches(claims.aud, expectation.hosts, ctx.state.port)) {
    return {
      ok: false,
      response: unauthorizedResponse(
        expectation.challenge,
        `The access token audience '${String(claims.aud)}' is not valid for this resource.`,
      ),
    };
  }
  const validIssuers = [`https://sts.windows.net/${tid}/`, `${ctx.state.authority}/${tid}/v2.0`];
  if (typeof claims.iss !== "string" || !validIssuers.includes(claims.iss)) {
    return {
      ok: false,
      response: unauthorizedResponse(expectation.challenge, "The access token issuer is not valid."),
    };
  }
  if (expectation.tenantId && !sameGuid(tid, expectation.tenantId)) {
    return {
      ok: false,
      response: unauthorizedResponse(
        expectation.challenge,
        "The access token was issued by a different tenant than the tenant of this organization.",
      ),
    };
  }
  const identity: TokenIdentity = {
    tid,
    oid: typeof claims.oid === "string" ? claims.oid : "",
    appid: typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : "",
    isApp:
      claims.idtyp === "app" || (claims.scp === undefined && claims.roles === undefined && claims.upn === undefined),
  };
  return { ok: true, identity, claims };
}
