/**
 * Microsoft Graph, only what the portal calls (docs/protocol/entra.md "Organisation names"):
 * `GET /v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')`; and what `npm run doctor`
 * reads of the app registration (graph-directory.ts, docs/protocol/graph.md).
 *
 * Strict: a valid token signed by the emulator for the Graph resource, issued by a tenant's STS, carrying
 * `CrossTenantInformation.ReadBasic.All` in `roles` (app-only) or `scp` (delegated); 401 otherwise (no or bad
 * token), 403 Authorization_RequestDenied without the permission, 404 for an unknown tenant. Errors in Graph's
 * shape: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 */
import type { EmulatorContext } from "./context";
import { sameGuid, isGuid } from "./guid";
import { jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { graphOrigin } from "./hosts";
import { isConsumerTenant } from "./entra/tenant-resolution";
import { authenticateGraphCaller, graphError, isResponse } from "./graph-auth";
import { handleDirectoryRequest, isDirectoryPath } from "./graph-directory";

export const CROSS_TENANT_INFORMATION = "CrossTenantInformation.ReadBasic.All";
const FIND_BY_TENANT_ID = /^\/v1\.0\/tenantRelationships\/findTenantInformationByTenantId\(tenantId='([^']*)'\)$/;

export async function handleGraphRequest(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "graph";
  // The app registration as Graph sees it: applications, service principals and their grants (`npm run doctor`).
  if (isDirectoryPath(req.url.pathname)) return handleDirectoryRequest(ctx, req);
  const match = FIND_BY_TENANT_ID.exec(req.url.pathname);
  if (!match)
    return graphError(
      req,
      400,
      "BadRequest",
      `Resource not found for the segment '${req.url.pathname.split("/").filter(Boolean).pop() ?? ""}'.`,
    );
  if (req.method !== "GET")
    return graphError(req, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

  const caller = await authenticateGraphCaller(ctx, req);
  if (isResponse(caller)) return caller;
  if (!caller.permissions.includes(CROSS_TENANT_INFORMATION)) {
    return graphError(req, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }

  const wanted = decodeURIComponent(match[1] ?? "");
  if (!isGuid(wanted))
    return graphError(
      req,
      400,
      "Request_BadRequest",
      `Invalid value specified for property 'tenantId' of resource 'TenantInformation'.`,
    );
  const tenant = ctx.state.scenario.tenants.find((t) => sameGuid(t.id, wanted) && !isConsumerTenant(t));
  if (!tenant)
    return graphError(
      req,
      404,
      "Request_ResourceNotFound",
      `Resource '${wanted}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return jsonResponse(200, {
    "@odata.context": `${graphOrigin(ctx.state.port)}/v1.0/$metadata#microsoft.graph.tenantInformation`,
    tenantId: tenant.id,
    federationBrandName: null,
    displayName: tenant.organizationName ?? tenant.displayName,
    defaultDomainName: tenant.primaryDomain,
  });
}
