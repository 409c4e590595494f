/**
 * Microsoft Graph, only what the portal calls (docs/protocol/entra.md "Organisation names"):
 * `GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')`.
 *
 * Strict: a valid token signed by the emulator for the Graph resource, issued by a tenant's STS, carrying
 * `CrossTenantInformation.ReadBasic.All` in `roles` (app-only) or `scp` (delegated); 401 otherwise (no or bad
 * token), 403 Authorization_RequestDenied without the permission, 404 for an unknown tenant. Errors in Graph's
 * shape: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */
import type { EmulatorContext } from "./context";
import { randomGuid, sameGuid, isGuid } from "./guid";
import { header, jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { GRAPH_APP_ID } from "./entra/scopes";
import { graphOrigin } from "./hosts";
import { isConsumerTenant } from "./entra/tenant-resolution";

export const CROSS_TENANT_INFORMATION = "CrossTenantInformation.ReadBasic.All";
const FIND_BY_TENANT_ID = /^\/v1\.0\/tenantRelationships\/findTenantInformationByTenantId\(tenantId='([^']*)'\)$/;

function graphError(req: EmulatorRequest, status: number, code: string, message: string, extra: Record<string, string> = {}): EmulatorResponse {
  const requestId = randomGuid();
  req.log.errorCode = code;
  return jsonResponse(
    status,
    { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), "request-id": requestId, "client-request-id": header(req, "client-request-id") ?? requestId } } },
    { "request-id": requestId, ...extra },
  );
}

/** The audiences a Graph token carries: Graph's app id or its service root (the public one or the emulator's). */
function isGraphAudience(ctx: EmulatorContext, aud: unknown): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  const accepted = [GRAPH_APP_ID, "https://graph.microsoft.com", "https://graph.microsoft.com/", graphOrigin(ctx.state.port), `${graphOrigin(ctx.state.port)}/`];
  return values.some((v) => typeof v === "string" && accepted.includes(v.toLowerCase()));
}

export async function handleGraphRequest(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "graph";
  const match = FIND_BY_TENANT_ID.exec(req.url.pathname);
  if (!match) return graphError(req, 400, "BadRequest", `Resource not found for the segment '${req.url.pathname.split("/").filter(Boolean).pop() ?? ""}'.`);
  if (req.method !== "GET") return graphError(req, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

  const authorization = header(req, "authorization");
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  const challenge = { "www-authenticate": `Bearer realm="", authorization_uri="${ctx.state.authority}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"` };
  if (!token) return graphError(req, 401, "InvalidAuthenticationToken", "Access token is empty.", challenge);
  let claims: Record<string, unknown>;
  try {
    claims = (await ctx.signer.verify(token, 0)).payload;
  } catch {
    return graphError(req, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid signature or expired.", challenge);
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  req.log.tokenTid = tid;
  if (typeof claims.appid === "string") req.log.tokenAppId = claims.appid;
  const issuers = [`https://sts.windows.net/${tid}/`, `${ctx.state.authority}/${tid}/v2.0`];
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss) || !ctx.state.tenantById(tid)) {
    return graphError(req, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid issuer.", challenge);
  }
  if (!isGraphAudience(ctx, claims.aud)) return graphError(req, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", challenge);

  const roles = Array.isArray(claims.roles) ? claims.roles : [];
  const scopes = typeof claims.scp === "string" ? claims.scp.split(" ") : [];
  if (!roles.includes(CROSS_TENANT_INFORMATION) && !scopes.includes(CROSS_TENANT_INFORMATION)) {
    return graphError(req, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }

  const wanted = decodeURIComponent(match[1] ?? "");
  if (!isGuid(wanted)) return graphError(req, 400, "Request_BadRequest", `Invalid value specified for property 'tenantId' of resource 'TenantInformation'.`);
  const tenant = ctx.state.scenario.tenants.find((t) => sameGuid(t.id, wanted) && !isConsumerTenant(t));
  if (!tenant) return graphError(req, 404, "Request_ResourceNotFound", `Resource '${wanted}' does not exist or one of its queried reference-property objects are not present.`);
  return jsonResponse(200, {
    "@odata.context": `${graphOrigin(ctx.state.port)}/v1.0/$metadata#microsoft.graph.tenantInformation`,
    tenantId: tenant.id,
    federationBrandName: null,
    displayName: tenant.organizationName ?? tenant.displayName,
    defaultDomainName: tenant.primaryDomain,
  });
}
