/**
 * Global Discovery Service (docs/protocol/dataverse.md B7): `GET /api/discovery/v2.0/Instances` lists the
 * environments where the calling *user* is provisioned and enabled, in the user's tenant.
 * Unauthenticated calls get a challenge with the `common` authority. App-only tokens get an empty
 * list ([U]: likely unsupported in the real service).
 */
import type { EmulatorContext } from "../context";
import { DataverseHttpError, failDataverse } from "../errors";
import { sameGuid } from "../guid";
import { environmentOrigin, GLOBAL_DISCOVERY_HOST, globalDiscoveryOrigin, REGION_GEOS } from "../hosts";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { Environment } from "../scenario";
import { dataverseChallenge, validateBearer } from "./auth";
import { mayUseEnvironment } from "./security";
import { applyQuery, parseQueryOptions, project } from "./odata-query";
import type { AttributeType, QueryableShape } from "./odata-query";
import { odataError, odataJson } from "./responses";

const INSTANCE_SHAPE: QueryableShape = {
  entity: "Instance",
  attributes: {
    Id: "guid",
    UniqueName: "string",
    UrlName: "string",
    FriendlyName: "string",
    State: "number",
    Version: "string",
    Url: "string",
    ApiUrl: "string",
    LastUpdated: "datetime",
    SchemaType: "string",
    TenantId: "guid",
    EnvironmentId: "string",
    DatacenterId: "guid",
    DatacenterName: "string",
    Purpose: "string",
    Region: "string",
    IsUserSysAdmin: "boolean",
    OrganizationType: "number",
    TrialExpirationDate: "datetime",
    StatusMessage: "number",
    Type: "number",
  } satisfies Record<string, AttributeType>,
  navigations: [],
};

const ORGANIZATION_TYPES: Record<Environment["purpose"], number> = {
  Production: 0,
  Sandbox: 5,
  Developer: 6,
  Trial: 11,
  Default: 0,
};

function instanceOf(ctx: EmulatorContext, env: Environment, isSysAdmin: boolean): Record<string, unknown> {
  return {
    Id: env.organizationId,
    UniqueName: env.uniqueName,
    UrlName: env.name,
    FriendlyName: env.friendlyName,
    State: 0,
    Version: env.version,
    Url: environmentOrigin(env, ctx.state.port),
    ApiUrl: environmentOrigin(env, ctx.state.port, true),
    LastUpdated: "2025-01-15T08:00:00Z",
    SchemaType: "Full",
    TenantId: env.tenantId,
    EnvironmentId: env.environmentId,
    DatacenterId: null,
    DatacenterName: null,
    Purpose: "",
    Region: REGION_GEOS[env.region] ?? "NAM",
    IsUserSysAdmin: isSysAdmin,
    OrganizationType: ORGANIZATION_TYPES[env.purpose],
    TrialExpirationDate: null,
    StatusMessage: 0,
    Type: ORGANIZATION_TYPES[env.purpose],
  };
}

export async function handleGlobalDiscovery(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "discovery";
  const origin = globalDiscoveryOrigin(ctx.state.port);
  const challenge = dataverseChallenge(ctx.state.authority, "common", `${origin}/`);
  const auth = await validateBearer(ctx, req, { challenge, hosts: [GLOBAL_DISCOVERY_HOST] });
  if (!auth.ok) return auth.response;
  try {
    const match = /^\/api\/discovery\/v2\.0\/Instances(?:\((.+)\))?\/?$/i.exec(req.url.pathname);
    if (!match) failDataverse("resourceNotFound", { segment: req.url.pathname.split("/").pop() ?? "" });
    if (req.method !== "GET") failDataverse("methodNotAllowed", { method: req.method });
    const { identity } = auth;
    const instances = identity.isApp
      ? []
      : ctx.state.environmentsOfTenant(identity.tid).flatMap((env) => {
          const user = env.systemUsers.find(
            (u) => sameGuid(u.azureAdObjectId, identity.oid) && !u.applicationId && !u.isDisabled,
          );
          if (!user) return [];
          // Outside the environment's security group a person is not enabled there (docs/protocol/dataverse.md "Security group").
          if (!mayUseEnvironment(env, ctx.state.tenantById(env.tenantId), identity.oid)) return [];
          const isSysAdmin = env.roles.some((r) => r.allPrivileges && user.roleIds.some((id) => sameGuid(id, r.id)));
          return [instanceOf(ctx, env, isSysAdmin)];
        });
    const rows = instances.map((record) => ({ record }));
    const key = match[1];
    const contextBase = `${origin}/api/discovery/v2.0/$metadata#Instances`;
    if (key !== undefined) {
      const byName = /^UniqueName='(.*)'$/i.exec(key);
      const found = rows.find((r) =>
        byName
          ? r.record.UniqueName === byName[1] || r.record.UrlName === byName[1]
          : sameGuid(r.record.Id as string, key),
      );
      if (!found) failDataverse("recordNotFound", { entity: "Instance", id: key });
      return odataJson(200, { "@odata.context": `${contextBase}/$entity`, ...found.record });
    }
    const options = parseQueryOptions(new Map([...req.url.searchParams]), INSTANCE_SHAPE, () => undefined);
    const selected = applyQuery(rows, options).map((r) => project(r.record, options.select, "Id"));
    return odataJson(200, { "@odata.context": contextBase, value: selected });
  } catch (error) {
    if (error instanceof DataverseHttpError) return odataError(error.instance);
    throw error;
  }
}
