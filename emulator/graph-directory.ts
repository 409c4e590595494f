/**
 * Microsoft Graph v1.0's directory objects a tenant holds for the ISV app, as `npm run doctor` reads them
 * (docs/protocol/graph.md): the `application` (its registration, in its home tenant only), the `servicePrincipal`s
 * (the app's where it consented, its back-end client apps', Microsoft Graph's and Dynamics CRM's), who holds the
 * app's roles (`appRoleAssignedTo`), what application permissions a principal holds (`appRoleAssignments`) and the
 * delegated grants (`oauth2PermissionGrants`). Derived from the scenario on every request, so admin actions show.
 *
 * Strict as Microsoft: an app may read its own application and service principal without any permission (G-33);
 * everything else needs Application.Read.All (grants: Directory.Read.All) or a higher permission, else 403
 * Authorization_RequestDenied (G-32); an unknown id is 404 Request_ResourceNotFound (G-2), a malformed appId 400
 * (G-4); `$filter` only on the properties Microsoft supports with `eq` (G-5, G-9), `$select` validated (G-7: a
 * certificate's `key` only when `keyCredentials` is selected), pages of at most `$top` (default 100, max 999) with
 * `@odata.nextLink` (G-40). Query options the emulator does not implement are refused, never ignored ([U]).
 */
import { X509Certificate } from "node:crypto";
import type { EmulatorContext } from "./context";
import {
  DYNAMICS_CRM_APP_ID,
  firstPartyPermissions,
  grantedGraphRoles,
  grantedStaticPermissions,
  permissionId,
  staticPermissions,
} from "./grants";
import { authenticateGraphCaller, graphError, isResponse, type GraphCaller } from "./graph-auth";
import { isGuid, sameGuid, stableGuid } from "./guid";
import { header, jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { graphOrigin } from "./hosts";
import { GRAPH_APP_ID } from "./entra/scopes";
import { isConsumerTenant } from "./entra/tenant-resolution";
import type { Scenario, Tenant } from "./scenario";

const PATH =
  /^\/v1\.0\/(applications|servicePrincipals|oauth2PermissionGrants)(?:\/([^/()]+)|\(appId='([^']*)'\))?(?:\/([A-Za-z0-9]+))?$/;
const RELATIONSHIPS = new Set(["appRoleAssignedTo", "appRoleAssignments", "oauth2PermissionGrants"]);

/** Application.Read.All or a higher permission (G-32). */
const READ_APPLICATIONS = [
  "Application.Read.All",
  "Application.ReadWrite.All",
  "Application.ReadWrite.OwnedBy",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
];
const READ_ASSIGNMENTS = [
  "Application.Read.All",
  "Application.ReadWrite.All",
  "Directory.Read.All",
  "Directory.ReadWrite.All",
  "AppRoleAssignment.ReadWrite.All",
];
/** Delegated permission grants: Directory.Read.All or higher (G-32; Application.Read.All is not listed). */
const READ_GRANTS = ["Directory.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"];

export function isDirectoryPath(pathname: string): boolean {
  return /^\/v1\.0\/(applications|servicePrincipals|oauth2PermissionGrants)([/(]|$)/.test(pathname);
}

type Json = Record<string, unknown>;
type Principal = { id: string; appId: string; displayName: string; json: Json };
type Assignment = Json & { id: string; appRoleId: string; principalId: string; resourceId: string };
type Grant = Json & {
  id: string;
  clientId: string;
  consentType: string;
  principalId: string | null;
  resourceId: string;
};

/** Opaque ids like Graph's (base64url), stable for the same facts. */
function opaqueId(kind: string, ...parts: string[]): string {
  return Buffer.from(stableGuid(`graph:${kind}`, parts.join(":")).replace(/-/g, ""), "hex").toString("base64url");
}

export function applicationObjectId(clientId: string): string {
  return stableGuid("application", clientId.toLowerCase());
}

function firstPartySpId(tenantId: string, appId: string): string {
  return stableGuid("first-party-sp", `${tenantId.toLowerCase()}:${appId.toLowerCase()}`);
}

function derBase64(pem: string): string | null {
  try {
    return new X509Certificate(pem).raw.toString("base64");
  } catch {
    return null;
  }
}

/** Everything of one tenant's directory the doctor can read. */
class Directory {
  readonly applications: Principal[] = [];
  readonly servicePrincipals: Principal[] = [];
  readonly assignments: Assignment[] = [];
  readonly grants: Grant[] = [];

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly tenant: Tenant,
  ) {
    const scenario = ctx.state.scenario;
    const app = scenario.app;
    const home = sameGuid(app.homeTenantId, tenant.id);
    const audience = app.multiTenant ? "AzureADMultipleOrgs" : "AzureADMyOrg";
    const appRoles = app.appRoles.map((r) => ({
      allowedMemberTypes: r.allowedMemberTypes,
      description: r.description,
      displayName: r.displayName,
      id: r.id,
      isEnabled: true,
      origin: "Application",
      value: r.value,
    }));

    if (home) {
      const byResource = new Map<string, Array<{ id: string; type: string }>>();
      for (const p of staticPermissions(app))
        byResource.set(p.resourceAppId, [...(byResource.get(p.resourceAppId) ?? []), { id: p.id, type: p.type }]);
      const created = new Date(Date.parse(app.secrets[0]?.startsAt ?? "2024-01-01T00:00:00Z")).toISOString();
      this.applications.push({
        id: applicationObjectId(app.clientId),
        appId: app.clientId,
        displayName: app.displayName,
        json: {
          id: applicationObjectId(app.clientId),
          deletedDateTime: null,
          appId: app.clientId,
          createdDateTime: created,
          displayName: app.displayName,
          description: null,
          disabledByMicrosoftStatus: null,
          groupMembershipClaims: scenario.settings.includeWidsInIdToken ? "DirectoryRole" : "None",
          identifierUris: app.identifierUris,
          isFallbackPublicClient: false,
          publisherDomain: app.publisherDomain ?? tenant.primaryDomain,
          signInAudience: audience,
          tags: [],
          api: {
            acceptMappedClaims: null,
            knownClientApplications: [],
            requestedAccessTokenVersion: app.accessTokenAcceptedVersion,
            oauth2PermissionScopes: [],
            preAuthorizedApplications: [],
          },
          appRoles,
          publicClient: { redirectUris: [] },
          spa: { redirectUris: [] },
          web: {
            homePageUrl: null,
            logoutUrl: null,
            redirectUris: app.redirectUris,
            implicitGrantSettings: {
              enableAccessTokenIssuance: false,
              enableIdTokenIssuance: app.idTokenImplicitGrant,
            },
          },
          requiredResourceAccess: [...byResource].map(([resourceAppId, resourceAccess]) => ({
            resourceAppId,
            resourceAccess,
          })),
          keyCredentials: app.certificates.map((c) => ({
            customKeyIdentifier: c.thumbprintSha1.toUpperCase(),
            displayName: c.displayName,
            endDateTime: new Date(c.expiresAt).toISOString(),
            key: derBase64(c.certPem),
            keyId: c.keyId,
            startDateTime: new Date(c.startsAt ?? created).toISOString(),
            type: "AsymmetricX509Cert",
            usage: "Verify",
          })),
          passwordCredentials: app.secrets.map((s) => ({
            customKeyIdentifier: null,
            displayName: s.displayName,
            endDateTime: new Date(s.expiresAt).toISOString(),
            hint: s.value.slice(0, 3),
            keyId: s.keyId,
            secretText: null,
            startDateTime: new Date(s.startsAt ?? created).toISOString(),
          })),
        },
      });
    }
    for (const client of scenario.clientApps.filter((c) => sameGuid(c.homeTenantId, tenant.id))) {
      const id = applicationObjectId(client.clientId);
      this.applications.push({
        id,
        appId: client.clientId,
        displayName: client.displayName,
        json: {
          id,
          appId: client.clientId,
          displayName: client.displayName,
          signInAudience: "AzureADMyOrg",
          appRoles: [],
          requiredResourceAccess: [],
          web: {
            redirectUris: [],
            homePageUrl: null,
            logoutUrl: null,
            implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
          },
          spa: { redirectUris: [] },
          publicClient: { redirectUris: [] },
          keyCredentials: [],
          passwordCredentials: [],
        },
      });
    }

    // Service principals: the app's (where it exists), its client apps', and the first-party APIs'.
    const portalSp = home || ctx.state.servicePrincipalVisible(tenant) ? tenant.servicePrincipalObjectId : null;
    const sp = (id: string, appId: string, displayName: string, owner: string, extra: Json): Principal => ({
      id,
      appId,
      displayName,
      json: {
        id,
        deletedDateTime: null,
        accountEnabled: true,
        appDisplayName: displayName,
        appId,
        appOwnerOrganizationId: owner,
        appRoleAssignmentRequired: false,
        displayName,
        servicePrincipalNames: [appId],
        servicePrincipalType: "Application",
        signInAudience: "AzureADMultipleOrgs",
        tags: [],
        appRoles: [],
        oauth2PermissionScopes: [],
        replyUrls: [],
        ...extra,
      },
    });
    if (portalSp) {
      this.servicePrincipals.push(
        sp(portalSp, app.clientId, app.displayName, app.homeTenantId, {
          accountEnabled: !app.disabled,
          appRoles,
          replyUrls: app.redirectUris,
          servicePrincipalNames: [app.clientId, ...app.identifierUris],
          signInAudience: audience,
        }),
      );
    }
    for (const client of scenario.clientApps.filter((c) => sameGuid(c.homeTenantId, tenant.id))) {
      this.servicePrincipals.push(
        sp(client.servicePrincipalObjectId, client.clientId, client.displayName, client.homeTenantId, {
          signInAudience: "AzureADMyOrg",
        }),
      );
    }
    const firstParty = (appId: string, displayName: string) => {
      const perms = firstPartyPermissions(appId, app);
      return sp(firstPartySpId(tenant.id, appId), appId, displayName, "f8cdef31-a31e-4b4a-93e4-5f571e91255a", {
        appRoles: perms.roles.map((value) => ({
          allowedMemberTypes: ["Application"],
          description: value,
          displayName: value,
          id: permissionId(appId, value, "Role"),
          isEnabled: true,
          origin: "Application",
          value,
        })),
        oauth2PermissionScopes: perms.scopes.map((value) => ({
          adminConsentDescription: value,
          adminConsentDisplayName: value,
          id: permissionId(appId, value, "Scope"),
          isEnabled: true,
          type: "User",
          userConsentDescription: value,
          userConsentDisplayName: value,
          value,
        })),
      });
    };
    const graphSp = firstParty(GRAPH_APP_ID, "Microsoft Graph");
    this.servicePrincipals.push(graphSp);
    const crmSp = tenant.hasDataverse ? firstParty(DYNAMICS_CRM_APP_ID, "Dynamics CRM") : null;
    if (crmSp) this.servicePrincipals.push(crmSp);

    // App role assignments: people and client apps holding the app's roles; the app's own application permissions.
    if (portalSp) {
      const roleId = (value: string, memberType: "User" | "Application") =>
        app.appRoles.find((r) => r.value === value && r.allowedMemberTypes.includes(memberType))?.id;
      const assign = (
        principalId: string,
        principalType: string,
        principalDisplayName: string,
        appRoleId: string,
        resource: { id: string; displayName: string },
      ) =>
        this.assignments.push({
          id: opaqueId("assignment", principalId, appRoleId, resource.id),
          deletedDateTime: null,
          appRoleId,
          createdDateTime: "2024-01-01T00:00:00Z",
          principalDisplayName,
          principalId,
          principalType,
          resourceDisplayName: resource.displayName,
          resourceId: resource.id,
        });
      const portal = { id: portalSp, displayName: app.displayName };
      for (const user of tenant.users) {
        for (const value of user.appRoles) {
          const id = roleId(value, "User");
          if (id) assign(user.oid, "User", user.displayName, id, portal);
        }
      }
      for (const client of scenario.clientApps.filter((c) => sameGuid(c.homeTenantId, tenant.id))) {
        for (const value of client.grantedAppRoles) {
          const id = roleId(value, "Application");
          if (id) assign(client.servicePrincipalObjectId, "ServicePrincipal", client.displayName, id, portal);
        }
      }
      const granted = grantedStaticPermissions(scenario, tenant);
      for (const p of granted.filter((g) => g.type === "Role" && sameGuid(g.resourceAppId, app.clientId)))
        assign(portalSp, "ServicePrincipal", app.displayName, p.id, portal);
      for (const value of grantedGraphRoles(scenario, tenant))
        assign(portalSp, "ServicePrincipal", app.displayName, permissionId(GRAPH_APP_ID, value, "Role"), {
          id: graphSp.id,
          displayName: graphSp.displayName,
        });

      // Delegated grants: admin consent for everyone, a user's own consent, and permissions asked at run time.
      const scopesByResource = new Map<string, Set<string>>();
      for (const p of granted.filter((g) => g.type === "Scope")) {
        const resource = sameGuid(p.resourceAppId, GRAPH_APP_ID)
          ? graphSp.id
          : sameGuid(p.resourceAppId, DYNAMICS_CRM_APP_ID)
            ? crmSp?.id
            : sameGuid(p.resourceAppId, app.clientId)
              ? portalSp
              : undefined;
        if (resource) scopesByResource.set(resource, new Set([...(scopesByResource.get(resource) ?? []), p.value]));
      }
      const addGrant = (
        consentType: "AllPrincipals" | "Principal",
        principalId: string | null,
        resourceId: string,
        scopes: Iterable<string>,
      ) => {
        const existing = this.grants.find(
          (g) => g.consentType === consentType && g.principalId === principalId && g.resourceId === resourceId,
        );
        const merged = new Set([...(existing ? String(existing.scope).split(" ") : []), ...scopes]);
        const grant: Grant = {
          id: opaqueId("grant", portalSp, consentType, principalId ?? "", resourceId),
          clientId: portalSp,
          consentType,
          principalId,
          resourceId,
          scope: [...merged].filter(Boolean).join(" "),
        };
        if (existing) Object.assign(existing, grant);
        else this.grants.push(grant);
      };
      for (const [resourceId, scopes] of scopesByResource) addGrant("AllPrincipals", null, resourceId, scopes);
      const tid = tenant.id.toLowerCase();
      for (const key of ctx.state.delegatedGrants) {
        const [grantTid, oid] = key.split(":", 2);
        if (grantTid !== tid || !crmSp || !oid) continue;
        // Run-time permissions are Dataverse's and Global Discovery's user_impersonation: Dynamics CRM's (G-39).
        addGrant(oid === "*" ? "AllPrincipals" : "Principal", oid === "*" ? null : oid, crmSp.id, [
          "user_impersonation",
        ]);
      }
    }
  }

  principalsOf(collection: "applications" | "servicePrincipals"): Principal[] {
    return collection === "applications" ? this.applications : this.servicePrincipals;
  }

  static of(ctx: EmulatorContext, tenant: Tenant): Directory {
    return new Directory(ctx, tenant);
  }
}

type Query = { select: string[] | null; filter: string | null; top: number; skip: number };

function parseQuery(req: EmulatorRequest, collection: boolean): Query | EmulatorResponse {
  const params = req.url.searchParams;
  for (const key of params.keys()) {
    if (!key.startsWith("$")) continue;
    if (key === "$search" && header(req, "consistencylevel") !== "eventual") {
      return graphError(
        req,
        400,
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    }
    if (!["$select", "$filter", "$top", "$skiptoken", "$count"].includes(key))
      return graphError(
        req,
        400,
        "Request_UnsupportedQuery",
        `The query option '${key}' is not supported for this request.`,
      );
  }
  const selectRaw = params.get("$select");
  const topRaw = params.get("$top");
  const top = topRaw === null ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999)
    return graphError(
      req,
      400,
      "Request_BadRequest",
      `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`,
    );
  const skipRaw = params.get("$skiptoken");
  let skip = 0;
  if (skipRaw !== null) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(skipRaw, "base64url").toString("utf8"));
    if (!decoded || !collection)
      return graphError(req, 400, "Request_BadRequest", "The specified page token value has expired or is invalid.");
    skip = Number(decoded[1]);
  }
  if (!collection && (params.has("$filter") || params.has("$top")))
    return graphError(req, 400, "Request_BadRequest", "Query options $filter and $top apply to collections only.");
  return {
    select: selectRaw === null ? null : selectRaw.split(",").map((s) => s.trim()),
    filter: params.get("$filter"),
    top,
    skip,
  };
}

/** `prop eq 'value'` clauses joined by `and`, each on a property the collection supports with `eq` (G-5, G-9, G-31). */
function parseFilter(
  req: EmulatorRequest,
  filter: string,
  supported: string[],
  resource: string,
): Array<[string, string]> | EmulatorResponse {
  const clauses: Array<[string, string]> = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = /^\s*([A-Za-z]+)\s+(eq)\s+'([^']*)'\s*$/.exec(part);
    if (!m) {
      const prop = /^\s*([A-Za-z]+)\s+(ne|startsWith|endsWith|in|gt|lt)\b/i.exec(part)?.[1];
      if (prop && supported.includes(prop))
        return graphError(
          req,
          400,
          "Request_UnsupportedQuery",
          `Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resource}'.`,
        );
      return graphError(req, 400, "Request_BadRequest", `Invalid filter clause: ${part.trim()}`);
    }
    if (!supported.includes(m[1]!))
      return graphError(
        req,
        400,
        "Request_UnsupportedQuery",
        `Unsupported or invalid query filter clause specified for property '${m[1]}' of resource '${resource}'.`,
      );
    clauses.push([m[1]!, m[3]!]);
  }
  return clauses;
}

function selectFields(req: EmulatorRequest, json: Json, select: string[] | null): Json | EmulatorResponse {
  if (!select) {
    // A certificate's public key only when keyCredentials is selected (G-7).
    if (Array.isArray(json.keyCredentials))
      return { ...json, keyCredentials: json.keyCredentials.map((k: Json) => ({ ...k, key: null })) };
    return json;
  }
  if (select.some((s) => !(s in json)))
    return graphError(req, 400, "Request_BadRequest", "Invalid $select properties.");
  return Object.fromEntries(select.map((s) => [s, json[s]]));
}

function denied(req: EmulatorRequest): EmulatorResponse {
  return graphError(req, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}

function notFound(req: EmulatorRequest, id: string): EmulatorResponse {
  return graphError(
    req,
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function may(caller: GraphCaller, permissions: string[]): boolean {
  return caller.permissions.some((p) => permissions.includes(p));
}

function page(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  context: string,
  items: Json[],
  query: Query,
): EmulatorResponse {
  const slice = items.slice(query.skip, query.skip + query.top);
  const body: Json = { "@odata.context": `${graphOrigin(ctx.state.port)}/v1.0/$metadata#${context}`, value: slice };
  if (query.skip + query.top < items.length) {
    const next = new URL(req.url.toString());
    next.searchParams.set("$skiptoken", Buffer.from(`offset:${query.skip + query.top}`).toString("base64url"));
    body["@odata.nextLink"] = next.toString();
  }
  return jsonResponse(200, body);
}

export async function handleDirectoryRequest(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(req.url.pathname);
  } catch {
    return graphError(req, 400, "BadRequest", "Malformed request path.");
  }
  const match = PATH.exec(pathname);
  const relationship = match?.[4];
  if (
    !match ||
    (relationship !== undefined && !RELATIONSHIPS.has(relationship)) ||
    (relationship && match[1] !== "servicePrincipals") ||
    (match[1] === "oauth2PermissionGrants" && (match[2] || match[3] !== undefined))
  ) {
    return graphError(
      req,
      400,
      "BadRequest",
      `Resource not found for the segment '${pathname.split("/").filter(Boolean).pop() ?? ""}'.`,
    );
  }
  if (req.method !== "GET")
    return graphError(req, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  const caller = await authenticateGraphCaller(ctx, req);
  if (isResponse(caller)) return caller;
  const tenant = ctx.state.tenantById(caller.tenantId);
  if (!tenant || isConsumerTenant(tenant)) return notFound(req, caller.tenantId);
  const directory = Directory.of(ctx, tenant);
  const collection = match[1] as "applications" | "servicePrincipals" | "oauth2PermissionGrants";
  const objectId = match[2];
  const appIdKey = match[3];
  const isList = objectId === undefined && appIdKey === undefined;
  const query = parseQuery(req, isList || relationship !== undefined);
  if (isResponse2(query)) return query;

  if (collection === "oauth2PermissionGrants") {
    if (!may(caller, READ_GRANTS)) return denied(req);
    return listGrants(ctx, req, directory.grants, query, "oauth2PermissionGrants");
  }
  const resourceName = collection === "applications" ? "Application" : "ServicePrincipal";
  const principals = directory.principalsOf(collection);

  if (isList) {
    if (!may(caller, READ_APPLICATIONS)) return denied(req);
    let items = principals;
    if (query.filter !== null) {
      const clauses = parseFilter(
        req,
        query.filter,
        collection === "applications"
          ? ["appId", "displayName", "id"]
          : ["appId", "displayName", "id", "servicePrincipalType"],
        resourceName,
      );
      if (isResponse2(clauses)) return clauses;
      items = items.filter((p) =>
        clauses.every(([prop, value]) => String(p.json[prop] ?? "").toLowerCase() === value.toLowerCase()),
      );
    }
    const shaped: Json[] = [];
    for (const p of items) {
      const json = selectFields(req, p.json, query.select);
      if (isResponse2(json)) return json;
      shaped.push(json);
    }
    return page(ctx, req, query.select ? `${collection}(${query.select.join(",")})` : collection, shaped, query);
  }

  if (appIdKey !== undefined && !isGuid(appIdKey)) {
    return graphError(
      req,
      400,
      "Request_BadRequest",
      "Invalid value specified for object reference property 'appId'. Please ensure that this value has an appropriate syntax and length.",
    );
  }
  if (objectId !== undefined && !isGuid(objectId))
    return graphError(req, 400, "Request_BadRequest", `Invalid object identifier '${objectId}'.`);
  const key = (objectId ?? appIdKey)!;
  const target = principals.find((p) => (objectId !== undefined ? sameGuid(p.id, key) : sameGuid(p.appId, key)));
  // Its own application and service principal, an app may read without any permission (G-33).
  const self = caller.appOnly && target !== undefined && sameGuid(target.appId, caller.appId);
  if (relationship === undefined) {
    if (!self && !may(caller, READ_APPLICATIONS)) return denied(req);
    if (!target) return notFound(req, key);
    const json = selectFields(req, target.json, query.select);
    if (isResponse2(json)) return json;
    const context = `${collection}${query.select ? `(${query.select.join(",")})` : ""}/$entity`;
    return jsonResponse(200, { "@odata.context": `${graphOrigin(ctx.state.port)}/v1.0/$metadata#${context}`, ...json });
  }

  if (relationship === "oauth2PermissionGrants") {
    if (!may(caller, READ_GRANTS)) return denied(req);
    if (!target) return notFound(req, key);
    return listGrants(
      ctx,
      req,
      directory.grants.filter((g) => sameGuid(g.clientId, target.id)),
      query,
      "oauth2PermissionGrants",
    );
  }
  if (!may(caller, READ_ASSIGNMENTS)) return denied(req);
  if (!target) return notFound(req, key);
  if (query.filter !== null)
    return graphError(
      req,
      400,
      "Request_UnsupportedQuery",
      `Unsupported or invalid query filter clause specified for property '${query.filter.split(" ")[0]}' of resource 'AppRoleAssignment'.`,
    );
  const items = directory.assignments.filter((a) =>
    relationship === "appRoleAssignedTo" ? sameGuid(a.resourceId, target.id) : sameGuid(a.principalId, target.id),
  );
  return page(ctx, req, `servicePrincipals('${target.id}')/${relationship}`, items, query);
}

function listGrants(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  grants: Grant[],
  query: Query,
  context: string,
): EmulatorResponse {
  let items = grants;
  if (query.filter !== null) {
    const clauses = parseFilter(
      req,
      query.filter,
      ["clientId", "consentType", "resourceId", "principalId"],
      "OAuth2PermissionGrant",
    );
    if (isResponse2(clauses)) return clauses;
    items = items.filter((g) =>
      clauses.every(([prop, value]) => String(g[prop] ?? "").toLowerCase() === value.toLowerCase()),
    );
  }
  if (query.select) return graphError(req, 400, "Request_BadRequest", "Invalid $select properties.");
  return page(ctx, req, context, items, query);
}

function isResponse2<T>(value: T | EmulatorResponse): value is EmulatorResponse {
  return typeof value === "object" && value !== null && "status" in value && "body" in value && "headers" in value;
}

/** Tests and the builders: the object ids Graph shows for a scenario's app. */
export function directoryIds(
  scenario: Scenario,
  tenantId: string,
): { application: string; graph: string; dynamicsCrm: string } {
  return {
    application: applicationObjectId(scenario.app.clientId),
    graph: firstPartySpId(tenantId, GRAPH_APP_ID),
    dynamicsCrm: firstPartySpId(tenantId, DYNAMICS_CRM_APP_ID),
  };
}
