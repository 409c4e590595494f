/**
 * Microsoft Graph's side shared by every Graph endpoint of the emulator: its error envelope and its token check.
 * Strict: a token the emulator signed, issued by a tenant's STS (v1 or v2 issuer) for Graph (aud Graph's app id or
 * service root), for a tenant that exists; 401 InvalidAuthenticationToken otherwise. Errors in Graph's shape:
 * `{ error: { code, message, innerError: { date, request-id, client-request-id } } }` (docs/protocol/graph.md G-34).
 */
import type { EmulatorContext } from "./context";
import { randomGuid } from "./guid";
import { header, jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { GRAPH_APP_ID } from "./entra/scopes";
import { graphOrigin } from "./hosts";

export function graphError(
  req: EmulatorRequest,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): EmulatorResponse {
  const requestId = randomGuid();
  req.log.errorCode = code;
  return jsonResponse(
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          "request-id": requestId,
          "client-request-id": header(req, "client-request-id") ?? requestId,
        },
      },
    },
    { "request-id": requestId, ...extra },
  );
}

/** The audiences a Graph token carries: Graph's app id or its service root (the public one or the emulator's). */
function isGraphAudience(ctx: EmulatorContext, aud: unknown): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  const accepted = [
    GRAPH_APP_ID,
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    graphOrigin(ctx.state.port),
    `${graphOrigin(ctx.state.port)}/`,
  ];
  return values.some((v) => typeof v === "string" && accepted.includes(v.toLowerCase()));
}

export type GraphCaller = {
  tenantId: string;
  /** The calling application's client id (`appid` v1, `azp` v2). */
  appId: string | null;
  /** Application permissions (`roles`) of an app-only token, or delegated ones (`scp`). */
  permissions: string[];
  appOnly: boolean;
};

/** The caller of a Graph request, or the 401 to answer. */
export async function authenticateGraphCaller(
  ctx: EmulatorContext,
  req: EmulatorRequest,
): Promise<GraphCaller | EmulatorResponse> {
  const authorization = header(req, "authorization");
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const challenge = {
    "www-authenticate": `Bearer realm="", authorization_uri="${ctx.state.authority}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  };
  if (!token) return graphError(req, 401, "InvalidAuthenticationToken", "Access token is empty.", challenge);
  let claims: Record<string, unknown>;
  try {
    claims = (await ctx.signer.verify(token, 0)).payload;
  } catch {
    return graphError(
      req,
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure. Invalid signature or expired.",
      challenge,
    );
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  req.log.tokenTid = tid;
  if (typeof claims.appid === "string") req.log.tokenAppId = claims.appid;
  const issuers = [`https://sts.windows.net/${tid}/`, `${ctx.state.authority}/${tid}/v2.0`];
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss) || !ctx.state.tenantById(tid)) {
    return graphError(
      req,
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure. Invalid issuer.",
      challenge,
    );
  }
  if (!isGraphAudience(ctx, claims.aud))
    return graphError(
      req,
      401,
      "InvalidAuthenticationToken",
      "Access token validation failure. Invalid audience.",
      challenge,
    );
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [];
  const scopes = typeof claims.scp === "string" ? claims.scp.split(" ") : [];
  const appId = typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : null;
  return { tenantId: tid, appId, permissions: [...roles, ...scopes], appOnly: scopes.length === 0 };
}

export function isResponse(value: GraphCaller | EmulatorResponse): value is EmulatorResponse {
  return "status" in value && "body" in value;
}
