/**
 * What a tenant granted the ISV app, in one place: the registration's static permissions (its "API permissions",
 * Graph's `requiredResourceAccess`) and which of them an administrator granted in a tenant, plus Graph application
 * permissions assigned directly. Tokens (entra/token.ts) and Microsoft Graph's directory objects (graph-directory.ts)
 * read the same answer (docs/protocol/graph.md "Grants").
 */
import { sameGuid, stableGuid } from "./guid";
import { GRAPH_APP_ID } from "./entra/scopes";
import type { AppRegistration, Scenario, Tenant } from "./scenario";

/** Dataverse's first-party application ("Dynamics CRM" in the permission picker; docs/protocol/graph.md G-23). */
export const DYNAMICS_CRM_APP_ID = "00000007-0000-0000-c000-000000000000";

/** Permission ids Microsoft publishes for the first-party APIs (docs/protocol/graph.md G-24…G-26). */
const WELL_KNOWN: Record<string, { roles: Record<string, string>; scopes: Record<string, string> }> = {
  [GRAPH_APP_ID]: {
    roles: {
      "CrossTenantInformation.ReadBasic.All": "cac88765-0581-4025-9725-5ebc13f729ee",
      "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
      "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    },
    scopes: { "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d" },
  },
  [DYNAMICS_CRM_APP_ID]: { roles: {}, scopes: { user_impersonation: "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4" } },
};

export function permissionId(resourceAppId: string, value: string, type: "Role" | "Scope"): string {
  const known = WELL_KNOWN[resourceAppId.toLowerCase()];
  return (
    (type === "Role" ? known?.roles[value] : known?.scopes[value]) ??
    stableGuid(`permission:${resourceAppId.toLowerCase()}:${type}`, value)
  );
}

/** The application permissions (roles) and delegated permissions (scopes) a first-party API exposes here. */
export function firstPartyPermissions(
  resourceAppId: string,
  app: AppRegistration,
): { roles: string[]; scopes: string[] } {
  const known = WELL_KNOWN[resourceAppId.toLowerCase()] ?? { roles: {}, scopes: {} };
  const extra = staticPermissions(app).filter((p) => sameGuid(p.resourceAppId, resourceAppId));
  return {
    roles: [...new Set([...Object.keys(known.roles), ...extra.filter((p) => p.type === "Role").map((p) => p.value)])],
    scopes: [
      ...new Set([...Object.keys(known.scopes), ...extra.filter((p) => p.type === "Scope").map((p) => p.value)]),
    ],
  };
}

export type StaticPermission = {
  resourceAppId: string;
  resourceName: string;
  value: string;
  id: string;
  type: "Role" | "Scope";
};

/** The registration's static permissions (what admin consent grants), as `requiredResourceAccess` lists them. */
export function staticPermissions(app: AppRegistration): StaticPermission[] {
  const result: StaticPermission[] = [];
  for (const p of app.requiredPermissions) {
    if (p.resource === app.displayName) {
      const role = app.appRoles.find((r) => r.value === p.permission);
      const type = role?.allowedMemberTypes.includes("Application") ? "Role" : "Scope";
      result.push({
        resourceAppId: app.clientId,
        resourceName: app.displayName,
        value: p.permission,
        id: role?.id ?? stableGuid("permission:self", p.permission),
        type,
      });
    } else if (/^microsoft graph$/i.test(p.resource)) {
      result.push({
        resourceAppId: GRAPH_APP_ID,
        resourceName: "Microsoft Graph",
        value: p.permission,
        id: permissionId(GRAPH_APP_ID, p.permission, "Scope"),
        type: "Scope",
      });
    } else if (/^(dynamics crm|dataverse|common data service)$/i.test(p.resource)) {
      result.push({
        resourceAppId: DYNAMICS_CRM_APP_ID,
        resourceName: "Dynamics CRM",
        value: p.permission,
        id: permissionId(DYNAMICS_CRM_APP_ID, p.permission, "Scope"),
        type: "Scope",
      });
    }
  }
  for (const value of app.graphApplicationPermissions) {
    result.push({
      resourceAppId: GRAPH_APP_ID,
      resourceName: "Microsoft Graph",
      value,
      id: permissionId(GRAPH_APP_ID, value, "Role"),
      type: "Role",
    });
  }
  return result;
}

/** Whether an administrator consented for the whole tenant (always in the home tenant, where the app is registered). */
function adminGranted(scenario: Scenario, tenant: Tenant): boolean {
  return sameGuid(scenario.app.homeTenantId, tenant.id) || tenant.adminConsented;
}

/** The static permissions granted in a tenant (admin consent, minus what was not granted). */
export function grantedStaticPermissions(scenario: Scenario, tenant: Tenant): StaticPermission[] {
  if (!adminGranted(scenario, tenant)) return [];
  return staticPermissions(scenario.app).filter((p) => !tenant.notGrantedPermissions.includes(p.value));
}

/** The app's own Application roles its app-only token carries in a tenant (the proof of admin consent). */
export function grantedSelfRoles(scenario: Scenario, tenant: Tenant): string[] {
  return grantedStaticPermissions(scenario, tenant)
    .filter((p) => p.type === "Role" && sameGuid(p.resourceAppId, scenario.app.clientId))
    .map((p) => p.value);
}

/** Microsoft Graph application permissions the app holds in a tenant: granted by consent or assigned directly. */
export function grantedGraphRoles(scenario: Scenario, tenant: Tenant): string[] {
  const consented = grantedStaticPermissions(scenario, tenant)
    .filter((p) => p.type === "Role" && sameGuid(p.resourceAppId, GRAPH_APP_ID))
    .map((p) => p.value);
  return [...new Set([...consented, ...tenant.graphAppRoleAssignments])];
}
