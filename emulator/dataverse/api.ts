/**
 * The Web API resource paths under `/api/data/v9.x/` (docs/protocol/dataverse.md B3-B5): WhoAmI, entity sets with
 * query options, single records, navigation collections, `$ref` role association, the
 * RetrieveUserPrivileges function, creates/updates/deletes. `$batch` lives in batch.ts and calls
 * back into `executeApiRequest` for every inner request.
 */
import { failDataverse } from "../errors";
import { sameGuid } from "../guid";
import type { EmulatorState } from "../state";
import type { Environment, SystemUser } from "../scenario";
import { entityBySet, ENTITY_SETS, systemUserRow } from "./entities";
import type { EntityDefinition, Row, WriteContext } from "./entities";
import { annotateRecord } from "./annotations";
import { applyQuery, checkQueryParameterNames, parseQueryOptions, project, splitTopLevel } from "./odata-query";
import type { QueryOptions } from "./odata-query";
import { annotationFilter, MAX_PAGE_SIZE, maxPageSize, preferenceApplied } from "./prefer";
import type { AnnotationFilter } from "./prefer";
import { odataJson, odataNoContent } from "./responses";
import { OBJECT_TYPE_CODES, depthAllows, requirePrivilege, rolePrivilegesResponse } from "./security";
import { ALL_PRIVILEGE_NAMES, PRIVILEGE_DEPTHS, privilegeId } from "./privileges";
import type { PrivilegeDepth } from "./privileges";
import type { EmulatorResponse } from "../http";

export interface ApiRequest {
  method: string;
  /** Resource path after `/api/data/v9.x/`, not decoded. */
  resourcePath: string;
  query: URLSearchParams;
  /** The query string as sent (`?a=b&…`), kept as written in an `@odata.nextLink`. */
  rawQuery?: string;
  headers: Record<string, string | undefined>;
  body: string;
  /** e.g. https://contoso.api.crm.dynamics.localhost:44300/api/data/v9.2 */
  serviceRoot: string;
}

export interface ApiContext {
  state: EmulatorState;
  env: Environment;
  caller: SystemUser;
}

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const SEGMENT = new RegExp(`^([A-Za-z_][A-Za-z0-9_.]*)(?:\\((.*)\\))?$`);

interface ParsedSegment {
  name: string;
  key?: string;
  hasParens: boolean;
}

function parseSegment(segment: string): ParsedSegment {
  const match = SEGMENT.exec(segment);
  if (!match) return failDataverse("resourceNotFound", { segment });
  const key = match[2];
  return {
    name: match[1] ?? "",
    ...(key !== undefined && key !== "" ? { key } : {}),
    hasParens: segment.includes("("),
  };
}

function parseKey(key: string | undefined, segment: string): string {
  if (key === undefined) return failDataverse("resourceNotFound", { segment });
  const trimmed = key.trim();
  if (new RegExp(`^${GUID}$`).test(trimmed)) return trimmed.toLowerCase();
  // Alternate keys (name='x') are not emulated; a malformed key is a bad request in Dataverse too.
  return failDataverse("badRequest", {
    detail: `Bad Request - Error in query syntax. The key '${trimmed}' is not a valid Guid.`,
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return failDataverse("badRequest", { detail: `The request URI is not valid: malformed escape in '${segment}'.` });
  }
}

function queryMap(query: URLSearchParams): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of query) map.set(k, v);
  return map;
}

function parseJsonBody(body: string, entity: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return failDataverse("invalidJson", { entity, detail: error instanceof Error ? error.message : "Invalid JSON." });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return failDataverse("invalidJson", { entity, detail: "The payload must be a JSON object." });
  }
  return parsed as Record<string, unknown>;
}

function contextUrl(serviceRoot: string, fragment: string, select: string[] | undefined): string {
  return `${serviceRoot}/$metadata#${fragment}${select ? `(${select.join(",")})` : ""}`;
}

// ------------------------------------------------------------------ reading with privileges

/** Rows of an entity the caller may read (privilege + depth), or the 403 when the privilege is missing. */
function readNeedsPrivilege(ctx: ApiContext, entity: EntityDefinition): boolean {
  return (
    entity.readPrivileged ||
    (entity.securityTable === true && ctx.state.scenario.settings.enforceSecurityTableReadPrivileges)
  );
}

function readableRows(ctx: ApiContext, entity: EntityDefinition, rows: Row[]): Row[] {
  if (!readNeedsPrivilege(ctx, entity)) return rows;
  const depth = requirePrivilege(ctx.env, ctx.caller, "Read", entity.logicalName, `prvRead${entity.privilegeEntity}`);
  return rows.filter((r) => depthAllows(ctx.env, ctx.caller, depth, r.ownerId, r.owningBusinessUnitId));
}

function requireRecordAccess(
  ctx: ApiContext,
  entity: EntityDefinition,
  row: Row,
  verb: "Read" | "Write" | "Delete",
  accessRight: string,
): void {
  if (verb === "Read" && !readNeedsPrivilege(ctx, entity)) return;
  const depth = requirePrivilege(ctx.env, ctx.caller, verb, entity.logicalName, `prv${verb}${entity.privilegeEntity}`);
  if (!depthAllows(ctx.env, ctx.caller, depth, row.ownerId, row.owningBusinessUnitId)) {
    failDataverse("recordAccessDenied", {
      recordId: row.id,
      ownerId: row.ownerId ?? "",
      systemUserId: ctx.caller.id,
      otc: OBJECT_TYPE_CODES[entity.logicalName] ?? 0,
      businessUnitId: row.owningBusinessUnitId ?? "",
      accessRights: accessRight,
    });
  }
}

/** What shaping a record needs besides its options: where links point, and the annotations asked for. */
interface Shaping {
  serviceRoot: string;
  annotations: AnnotationFilter | undefined;
}

function shapingOf(req: ApiRequest): Shaping {
  return { serviceRoot: req.serviceRoot, annotations: annotationFilter(req.headers.prefer) };
}

/**
 * An expanded collection is not paged: up to 5,000 related rows, and a `<navigation>@odata.nextLink` naming the
 * filtered collection with the expansion's options and no paging information (docs/protocol/dataverse.md "Paging").
 */
const EXPANDED_COLLECTION_LIMIT = 5000;

function shapeRecord(
  ctx: ApiContext,
  shaping: Shaping,
  entity: EntityDefinition,
  row: Row,
  options: QueryOptions,
): Record<string, unknown> {
  const out = annotateRecord(
    ctx.env,
    entity.logicalName,
    project(row.record, options.select, entity.primaryKey),
    shaping.annotations,
  );
  for (const expansion of options.expand ?? []) {
    const navigation = entity.navigations[expansion.navigation];
    const target = navigation ? entityBySet(navigation.target) : undefined;
    if (!navigation || !target) continue;
    const related = readableRows(ctx, target, navigation.related(ctx.env, row));
    const shaped = applyQuery(related, expansion.options)
      .slice(0, EXPANDED_COLLECTION_LIMIT)
      .map((r) => shapeRecord(ctx, shaping, target, r, expansion.options));
    if (navigation.single) {
      out[expansion.navigation] = shaped[0] ?? null;
    } else {
      out[expansion.navigation] = shaped;
      const nested = splitTopLevel(expansion.raw, ";").join("&");
      out[`${expansion.navigation}@odata.nextLink`] =
        `${shaping.serviceRoot}/${entity.entitySet}(${row.id})/${expansion.navigation}${nested ? `?${nested}` : ""}`;
    }
  }
  return out;
}

function parseOptionsFor(entity: EntityDefinition, query: URLSearchParams): QueryOptions {
  return parseQueryOptions(queryMap(query), entity.shape, (navigation) => {
    const target = entity.navigations[navigation]?.target;
    return target ? entityBySet(target)?.shape : undefined;
  });
}

function findRow(ctx: ApiContext, entity: EntityDefinition, id: string): Row {
  const row = entity.rows(ctx.env).find((r) => sameGuid(r.id, id));
  if (!row) return failDataverse("recordNotFound", { entity: entity.logicalName, id });
  return row;
}

// ------------------------------------------------------------------ paging (docs/protocol/dataverse.md "Paging")

interface Paging {
  pageSize: number;
  /** `$top` still limits the rows (it is ignored when the client asked for a page size). */
  top: number | undefined;
  /** `odata.maxpagesize=N` when the preference was honoured. */
  applied: string | undefined;
}

/**
 * The page size of a collection request: the client's `odata.maxpagesize` (at most 5,000; then `$top` is
 * ignored), else the environment's default (5,000). A `$top` of up to 5,000 is one page: Dataverse never pages a
 * result its `$top` keeps within its 5,000-row page, whatever the test default stands in for it.
 */
function pagingFor(ctx: ApiContext, req: ApiRequest, options: QueryOptions): Paging {
  const requested = maxPageSize(req.headers.prefer);
  if (requested !== undefined)
    return { pageSize: requested, top: undefined, applied: `odata.maxpagesize=${requested}` };
  const byDefault = ctx.state.scenario.settings.defaultPageSize;
  if (options.top !== undefined)
    return {
      pageSize: Math.max(byDefault, Math.min(options.top, MAX_PAGE_SIZE)),
      top: options.top,
      applied: undefined,
    };
  return { pageSize: byDefault, top: undefined, applied: undefined };
}

/**
 * The `$skiptoken` of a nextLink, shaped like Dataverse's paging cookie: `<cookie pagenumber="2"
 * pagingcookie="%3ccookie%20page%3d%221%22%3e%3caccountid%20last%3d%22%7b…%7d%22%20first%3d%22%7b…%7d%22%20%2f%3e%3c%2fcookie%3e"
 * istracking="False" />`. The emulator continues after the row named `last`.
 */
function pagingCookie(pageNumber: number, primaryKey: string, first: string, last: string): string {
  const inner = `<cookie page="${pageNumber - 1}"><${primaryKey} last="{${last.toUpperCase()}}" first="{${first.toUpperCase()}}" /></cookie>`;
  return `<cookie pagenumber="${pageNumber}" pagingcookie="${encodeURIComponent(inner)}" istracking="False" />`;
}

const COOKIE = /^<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" istracking="(?:True|False)" \/>$/;

function readPagingCookie(token: string, rows: Row[], pageSize: number): { start: number; pageNumber: number } {
  const match = COOKIE.exec(token);
  let inner: string;
  try {
    inner = decodeURIComponent(match?.[2] ?? "");
  } catch {
    inner = "";
  }
  const last = /last="\{([0-9A-Fa-f-]{36})\}"/.exec(inner)?.[1];
  const pageNumber = Number(match?.[1] ?? 0);
  if (!match || !last || pageNumber < 2) return failDataverse("invalidSkipToken", { value: token });
  const index = rows.findIndex((r) => sameGuid(r.id, last));
  // The last row of the previous page is gone (deleted meanwhile): continue by page number.
  return { start: index >= 0 ? index + 1 : (pageNumber - 1) * pageSize, pageNumber };
}

/** The request's own query string without `$skiptoken`, as the client wrote it. */
function queryWithoutSkipToken(req: ApiRequest): string {
  const raw =
    req.rawQuery !== undefined
      ? req.rawQuery.replace(/^\?/, "")
      : [...req.query].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return raw
    .split("&")
    .filter((part) => {
      if (!part) return false;
      const name = part.split("=")[0] ?? "";
      try {
        return decodeURIComponent(name) !== "$skiptoken";
      } catch {
        return true;
      }
    })
    .join("&");
}

/** One page of rows (filtered and ordered, `$top` not yet applied) and the nextLink to the rest. */
function pageOf(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  rows: Row[],
  options: QueryOptions,
): { page: Row[]; nextLink: string | undefined; paging: Paging } {
  const paging = pagingFor(ctx, req, options);
  const limited = paging.top !== undefined ? rows.slice(0, paging.top) : rows;
  const { start, pageNumber } =
    options.skiptoken !== undefined
      ? readPagingCookie(options.skiptoken, limited, paging.pageSize)
      : { start: 0, pageNumber: 1 };
  const page = limited.slice(start, start + paging.pageSize);
  const first = page[0];
  const last = page[page.length - 1];
  if (start + paging.pageSize >= limited.length || !first || !last) return { page, nextLink: undefined, paging };
  const query = queryWithoutSkipToken(req);
  const cookie = encodeURIComponent(pagingCookie(pageNumber + 1, entity.primaryKey, first.id, last.id));
  return {
    page,
    nextLink: `${req.serviceRoot}/${req.resourcePath.replace(/\/+$/, "")}?${query ? `${query}&` : ""}$skiptoken=${cookie}`,
    paging,
  };
}

function collectionResponse(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  contextFragment: string,
  options: QueryOptions,
  rows: Row[],
): EmulatorResponse {
  const { page, nextLink, paging } = pageOf(ctx, req, entity, rows, options);
  const shaping = shapingOf(req);
  const body: Record<string, unknown> = {
    "@odata.context": contextUrl(req.serviceRoot, contextFragment, options.select),
  };
  if (options.count) body["@odata.count"] = rows.length;
  body.value = page.map((r) => shapeRecord(ctx, shaping, entity, r, options));
  if (nextLink) body["@odata.nextLink"] = nextLink;
  return odataJson(200, body, preferenceApplied([shaping.annotations?.text, paging.applied]));
}

// ------------------------------------------------------------------ dispatcher

export async function executeApiRequest(ctx: ApiContext, req: ApiRequest): Promise<EmulatorResponse> {
  checkQueryParameterNames(req.query);
  const path = req.resourcePath.replace(/\/+$/, "");
  const segments = path === "" ? [] : path.split("/").map(decodeSegment);
  const method = req.method.toUpperCase();
  const first = segments[0];

  if (first === undefined) {
    if (method !== "GET") failDataverse("methodNotAllowed", { method });
    return odataJson(200, {
      "@odata.context": `${req.serviceRoot}/$metadata`,
      value: Object.keys(ENTITY_SETS).map((name) => ({ name, kind: "EntitySet", url: name })),
    });
  }
  if (first === "WhoAmI" || first === "WhoAmI()") {
    if (segments.length > 1) failDataverse("resourceNotFound", { segment: segments[1] ?? "" });
    if (method !== "GET") failDataverse("methodNotAllowed", { method });
    return odataJson(200, {
      "@odata.context": `${req.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: ctx.caller.businessUnitId,
      UserId: ctx.caller.id,
      OrganizationId: ctx.env.organizationId,
    });
  }

  const head = parseSegment(first);
  if (head.name === "RetrieveRolePrivilegesRole") {
    if (segments.length > 1) failDataverse("resourceNotFound", { segment: segments[1] ?? "" });
    if (method !== "GET") failDataverse("methodNotAllowed", { method });
    return retrieveRolePrivileges(ctx, req, functionParameter(head.key, "RoleId", req.query));
  }
  const entity = entityBySet(head.name);
  if (!entity) failDataverse("resourceNotFound", { segment: head.name });

  if (segments.length === 1) {
    if (!head.hasParens) return entitySetRequest(ctx, req, entity, method);
    return recordRequest(ctx, req, entity, parseKey(head.key, first), method);
  }
  const id = parseKey(head.key, first);
  const second = segments[1] ?? "";
  const functionName = second.replace(/^Microsoft\.Dynamics\.CRM\./, "").replace(/\(\)$/, "");
  if (second.startsWith("Microsoft.Dynamics.CRM.") && segments.length === 2) {
    if (functionName === "RetrieveUserPrivileges" && entity.entitySet === "systemusers") {
      if (method !== "GET") failDataverse("methodNotAllowed", { method });
      return retrieveUserPrivileges(ctx, req, id);
    }
    if (
      (functionName === "AddPrivilegesRole" || functionName === "RemovePrivilegeRole") &&
      entity.entitySet === "roles"
    ) {
      if (method !== "POST") failDataverse("methodNotAllowed", { method });
      return functionName === "AddPrivilegesRole" ? addPrivilegesRole(ctx, req, id) : removePrivilegeRole(ctx, req, id);
    }
    return failDataverse("resourceNotFound", { segment: second });
  }
  const navSegment = parseSegment(second);
  const navigation = entity.navigations[navSegment.name];
  if (!navigation) failDataverse("resourceNotFound", { segment: navSegment.name });
  if (segments.length === 2) {
    if (method !== "GET") failDataverse("methodNotAllowed", { method });
    return navigationRequest(ctx, req, entity, id, navSegment.name);
  }
  if (segments[2] === "$ref" && segments.length === 3) {
    return referenceRequest(ctx, req, entity, id, navSegment, method);
  }
  return failDataverse("resourceNotFound", { segment: segments[2] ?? "" });
}

// ------------------------------------------------------------------ handlers

function entitySetRequest(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  method: string,
): EmulatorResponse {
  if (method === "GET") {
    const options = parseOptionsFor(entity, req.query);
    const rows = applyQuery(readableRows(ctx, entity, entity.rows(ctx.env)), { ...options, top: undefined });
    return collectionResponse(ctx, req, entity, entity.entitySet, options, rows);
  }
  if (method === "POST") {
    if (!entity.create) failDataverse("methodNotAllowed", { method });
    requirePrivilege(ctx.env, ctx.caller, "Create", entity.logicalName, `prvCreate${entity.privilegeEntity}`);
    const body = parseJsonBody(req.body, entity.logicalName);
    const id = entity.create(writeContext(ctx), body);
    return createdResponse(ctx, req, entity, id);
  }
  return failDataverse("methodNotAllowed", { method });
}

function writeContext(ctx: ApiContext): WriteContext {
  return { state: ctx.state, env: ctx.env, caller: ctx.caller };
}

function createdResponse(ctx: ApiContext, req: ApiRequest, entity: EntityDefinition, id: string): EmulatorResponse {
  const entityId = `${req.serviceRoot}/${entity.entitySet}(${id})`;
  const prefer = (req.headers.prefer ?? "").toLowerCase();
  if (prefer.includes("return=representation")) {
    const row = findRow(ctx, entity, id);
    const options = parseOptionsFor(entity, req.query);
    const shaping = shapingOf(req);
    return odataJson(
      201,
      {
        "@odata.context": `${contextUrl(req.serviceRoot, entity.entitySet, options.select)}/$entity`,
        ...shapeRecord(ctx, shaping, entity, row, options),
      },
      {
        "odata-entityid": entityId,
        location: entityId,
        ...preferenceApplied(["return=representation", shaping.annotations?.text]),
      },
    );
  }
  return odataNoContent({ "odata-entityid": entityId, location: entityId });
}

function recordRequest(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  id: string,
  method: string,
): EmulatorResponse {
  if (method === "GET") {
    const row = findRow(ctx, entity, id);
    requireRecordAccess(ctx, entity, row, "Read", "ReadAccess");
    const options = parseOptionsFor(entity, req.query);
    if (options.skiptoken !== undefined) failDataverse("queryParameterNotSupported", { name: "$skiptoken" });
    const shaping = shapingOf(req);
    return odataJson(
      200,
      {
        "@odata.context": `${contextUrl(req.serviceRoot, entity.entitySet, options.select)}/$entity`,
        ...shapeRecord(ctx, shaping, entity, row, options),
      },
      preferenceApplied([shaping.annotations?.text]),
    );
  }
  if (method === "PATCH") {
    if (!entity.update) failDataverse("methodNotAllowed", { method });
    const body = parseJsonBody(req.body, entity.logicalName);
    const existing = entity.rows(ctx.env).find((r) => sameGuid(r.id, id));
    if (!existing) {
      // PATCH is an upsert in Dataverse unless If-Match: * forbids creating.
      if (req.headers["if-match"] === "*" || !entity.create)
        failDataverse("recordNotFound", { entity: entity.logicalName, id });
      requirePrivilege(ctx.env, ctx.caller, "Create", entity.logicalName, `prvCreate${entity.privilegeEntity}`);
      entity.create(writeContext(ctx), body, id);
      return odataNoContent({ "odata-entityid": `${req.serviceRoot}/${entity.entitySet}(${id})` });
    }
    if (req.headers["if-none-match"] === "*")
      failDataverse("duplicateRecord", { attribute: `${entity.primaryKey} = ${id}` });
    requireRecordAccess(ctx, entity, existing, "Write", "WriteAccess");
    entity.update(writeContext(ctx), id, body);
    return odataNoContent({ "odata-entityid": `${req.serviceRoot}/${entity.entitySet}(${id})` });
  }
  if (method === "DELETE") {
    if (!entity.remove) failDataverse("methodNotAllowed", { method });
    const row = findRow(ctx, entity, id);
    requireRecordAccess(ctx, entity, row, "Delete", "DeleteAccess");
    entity.remove(writeContext(ctx), id);
    return odataNoContent();
  }
  return failDataverse("methodNotAllowed", { method });
}

function navigationRequest(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  id: string,
  navigationName: string,
): EmulatorResponse {
  const row = findRow(ctx, entity, id);
  requireRecordAccess(ctx, entity, row, "Read", "ReadAccess");
  const navigation = entity.navigations[navigationName];
  const target = navigation ? entityBySet(navigation.target) : undefined;
  if (!navigation || !target) return failDataverse("resourceNotFound", { segment: navigationName });
  const options = parseOptionsFor(target, req.query);
  const fragment = `${entity.entitySet}(${id})/${navigationName}`;
  if (navigation.single) {
    const first = applyQuery(readableRows(ctx, target, navigation.related(ctx.env, row)), options)[0];
    if (!first) return odataNoContent();
    const shaping = shapingOf(req);
    return odataJson(
      200,
      {
        "@odata.context": `${contextUrl(req.serviceRoot, fragment, options.select)}/$entity`,
        ...shapeRecord(ctx, shaping, target, first, options),
      },
      preferenceApplied([shaping.annotations?.text]),
    );
  }
  const related = applyQuery(readableRows(ctx, target, navigation.related(ctx.env, row)), {
    ...options,
    top: undefined,
  });
  return collectionResponse(ctx, req, target, fragment, options, related);
}

/** `@odata.id` of a role: absolute URL, `/api/data/v9.2/roles(<id>)` or relative `roles(<id>)`. */
function referencedId(value: string | undefined, expectedSet: string): string {
  if (!value) return failDataverse("badRequest", { detail: "The '@odata.id' of the reference is missing." });
  const match = new RegExp(`(?:^|/)${expectedSet}\\((${GUID})\\)$`, "i").exec(value.trim());
  if (!match)
    return failDataverse("badRequest", { detail: `The reference '${value}' is not a valid ${expectedSet} URL.` });
  return (match[1] ?? "").toLowerCase();
}

/**
 * POST/DELETE `systemusers(<id>)/systemuserroles_association/$ref` (docs/protocol/dataverse.md B4). Associating a
 * role needs prvAssignRole (System Administrator has it). Re-associating is a no-op ([U]).
 */
function referenceRequest(
  ctx: ApiContext,
  req: ApiRequest,
  entity: EntityDefinition,
  id: string,
  navSegment: { name: string; key?: string },
  method: string,
): EmulatorResponse {
  if (navSegment.name !== "systemuserroles_association") return failDataverse("resourceNotFound", { segment: "$ref" });
  const userSide = entity.entitySet === "systemusers";
  const otherSet = userSide ? "roles" : "systemusers";
  let otherId: string;
  if (method === "POST" || method === "PUT") {
    const body = parseJsonBody(req.body, entity.logicalName);
    otherId = referencedId(typeof body["@odata.id"] === "string" ? body["@odata.id"] : undefined, otherSet);
  } else if (method === "DELETE") {
    otherId = navSegment.key
      ? parseKey(navSegment.key, navSegment.name)
      : referencedId(req.query.get("$id") ?? undefined, otherSet);
  } else {
    return failDataverse("methodNotAllowed", { method });
  }
  const userId = userSide ? id : otherId;
  const roleId = userSide ? otherId : id;
  const user = ctx.env.systemUsers.find((u) => sameGuid(u.id, userId));
  if (!user) return failDataverse("recordNotFound", { entity: "systemuser", id: userId });
  const role = ctx.env.roles.find((r) => sameGuid(r.id, roleId));
  if (!role) return failDataverse("recordNotFound", { entity: "role", id: roleId });
  requirePrivilege(ctx.env, ctx.caller, "Assign", "role", "prvAssignRole");
  if (method === "DELETE") {
    user.roleIds = user.roleIds.filter((r) => !sameGuid(r, role.id));
  } else if (!user.roleIds.some((r) => sameGuid(r, role.id))) {
    user.roleIds.push(role.id);
  }
  return odataNoContent();
}

function retrieveUserPrivileges(ctx: ApiContext, req: ApiRequest, userId: string): EmulatorResponse {
  const user = ctx.env.systemUsers.find((u) => sameGuid(u.id, userId));
  if (!user) return failDataverse("recordNotFound", { entity: "systemuser", id: userId });
  if (ctx.state.scenario.settings.enforceSecurityTableReadPrivileges) {
    // The function reads the user and its roles: prvReadUser reaching the user's row (one's own included)
    // and prvReadRole (docs/protocol/dataverse.md "Read privileges").
    const systemUser = entityBySet("systemusers");
    if (systemUser) requireRecordAccess(ctx, systemUser, systemUserRow(user), "Read", "ReadAccess");
    requirePrivilege(ctx.env, ctx.caller, "Read", "role", "prvReadRole");
  } else if (!sameGuid(user.id, ctx.caller.id)) {
    requirePrivilege(ctx.env, ctx.caller, "Read", "systemuser", "prvReadUser");
  }
  return odataJson(200, {
    "@odata.context": `${req.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`,
    RolePrivileges: rolePrivilegesResponse(ctx.env, user),
  });
}

// ------------------------------------------------------------------ security role privileges

/** `Fn(RoleId=@p)?@p=<guid>` or `Fn(RoleId=<guid>)`: the GUID value of one function parameter. */
function functionParameter(key: string | undefined, name: string, query: URLSearchParams): string {
  const match = key ? new RegExp(`^\\s*${name}\\s*=\\s*(@\\w+|${GUID})\\s*$`, "i").exec(key) : null;
  if (!match?.[1])
    return failDataverse("badRequest", { detail: `The function parameter '${name}' is missing or not a Guid.` });
  const value = match[1].startsWith("@") ? (query.get(match[1]) ?? "") : match[1];
  return parseKey(value.replace(/^'|'$/g, ""), name);
}

function findRole(ctx: ApiContext, roleId: string) {
  const role = ctx.env.roles.find((r) => sameGuid(r.id, roleId));
  if (!role) return failDataverse("recordNotFound", { entity: "role", id: roleId });
  return role;
}

/** A role's own privileges (docs/protocol/dataverse.md "Creating the role": RetrieveRolePrivilegesRole). Needs prvReadRole. */
function retrieveRolePrivileges(ctx: ApiContext, req: ApiRequest, roleId: string): EmulatorResponse {
  requirePrivilege(ctx.env, ctx.caller, "Read", "role", "prvReadRole");
  const role = findRole(ctx, roleId);
  const privileges = role.allPrivileges
    ? ALL_PRIVILEGE_NAMES.map((name) => ({ name, depth: "Global" as PrivilegeDepth }))
    : role.privileges;
  return odataJson(200, {
    "@odata.context": `${req.serviceRoot}/$metadata#Microsoft.Dynamics.CRM.RetrieveRolePrivilegesRoleResponse`,
    RolePrivileges: [...privileges]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => ({
        Depth: p.depth,
        PrivilegeId: privilegeId(p.name),
        BusinessUnitId: role.businessUnitId,
        PrivilegeName: p.name,
        RecordFilterId: null,
        RecordFilterUniqueName: null,
      })),
  });
}

const DEPTH_BY_NUMBER: Record<number, PrivilegeDepth> = { 0: "Basic", 1: "Local", 2: "Deep", 3: "Global" };

function privilegeNameById(id: unknown): string {
  const name = typeof id === "string" ? ALL_PRIVILEGE_NAMES.find((n) => sameGuid(privilegeId(n), id)) : undefined;
  if (!name) return failDataverse("recordNotFound", { entity: "privilege", id: String(id) });
  return name;
}

/**
 * `POST roles(<id>)/Microsoft.Dynamics.CRM.AddPrivilegesRole` with `{"Privileges":[{"PrivilegeId","Depth"}]}`
 * (Depth as the PrivilegeDepth member name or its number). A privilege the role already holds takes the new
 * depth. Needs prvWriteRole.
 */
function addPrivilegesRole(ctx: ApiContext, req: ApiRequest, roleId: string): EmulatorResponse {
  requirePrivilege(ctx.env, ctx.caller, "Write", "role", "prvWriteRole");
  const role = findRole(ctx, roleId);
  const body = parseJsonBody(req.body, "role");
  if (!Array.isArray(body.Privileges))
    return failDataverse("badRequest", {
      detail: "The parameter 'Privileges' is required and must be a collection of RolePrivilege.",
    });
  const additions = body.Privileges.map((entry: unknown) => {
    const item = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const depth =
      typeof item.Depth === "number" ? DEPTH_BY_NUMBER[item.Depth] : PRIVILEGE_DEPTHS.find((d) => d === item.Depth);
    if (!depth)
      return failDataverse("badRequest", {
        detail: `The value '${String(item.Depth)}' is not a valid PrivilegeDepth.`,
      });
    return { name: privilegeNameById(item.PrivilegeId), depth };
  });
  for (const added of additions) {
    role.privileges = [...role.privileges.filter((p) => p.name.toLowerCase() !== added.name.toLowerCase()), added];
  }
  return odataNoContent();
}

/** `POST roles(<id>)/Microsoft.Dynamics.CRM.RemovePrivilegeRole` with `{"PrivilegeId"}`. Needs prvWriteRole. */
function removePrivilegeRole(ctx: ApiContext, req: ApiRequest, roleId: string): EmulatorResponse {
  requirePrivilege(ctx.env, ctx.caller, "Write", "role", "prvWriteRole");
  const role = findRole(ctx, roleId);
  const name = privilegeNameById(parseJsonBody(req.body, "role").PrivilegeId);
  role.privileges = role.privileges.filter((p) => p.name.toLowerCase() !== name.toLowerCase());
  return odataNoContent();
}
