/**
 * `POST /{tenant}/oauth2/v2.0/token` (docs/protocol/entra.md A4): client_credentials, authorization_code (with
 * PKCE) and refresh_token. Errors use the documented JSON shape (errors.ts), 401 for invalid_client.
 *
 * Check order ([U], modelled on observed behaviour): method → tenant → grant_type → client_id →
 * the app's presence in the tenant (700016) → disabled (7000112) → client authentication → grant
 * specifics (code, scope, resource).
 */
import { createHash } from "node:crypto";
import type { EmulatorContext } from "../context";
import { entraError } from "../errors";
import type { EntraErrorName } from "../errors";
import { sameGuid } from "../guid";
import { formBody, jsonResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { ClientApp, Tenant } from "../scenario";
import { opaqueToken } from "../state";
import type { AuthorizationCodeGrant, RefreshGrant } from "../state";
import {
  clientInfo,
  mintApiAccessToken,
  mintAppOnlyAccessToken,
  mintDelegatedAccessToken,
  mintIdToken,
  newSessionId,
} from "./claims";
import type { AppIdAcr } from "./claims";
import { authenticateClient, parseBasicAuth } from "./client-auth";
import { federatedContext } from "./federated-context";
import { classifyResource, GRAPH_RESOURCE, parseScopes, sameResource } from "./scopes";
import { resolveTenant } from "./tenant-resolution";
import type { TenantTarget } from "./tenant-resolution";
import { grantedGraphRoles, grantedSelfRoles } from "../grants";

const NO_STORE = { "cache-control": "no-store, no-cache", pragma: "no-cache" };

type Params = Record<string, string | number | undefined>;

class TokenError extends Error {
  constructor(
    readonly errorName: EntraErrorName,
    readonly params: Params = {},
  ) {
    super(errorName);
  }
}

function fail(name: EntraErrorName, params: Params = {}): never {
  throw new TokenError(name, params);
}

interface TokenRequest {
  ctx: EmulatorContext;
  req: EmulatorRequest;
  form: URLSearchParams;
  target: TenantTarget;
  clientId: string;
}

export async function handleToken(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
): Promise<EmulatorResponse> {
  req.log.kind = "entra.token";
  req.log.tenant = segment;
  try {
    return await processTokenRequest(ctx, req, segment);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    const instance = entraError(error.errorName, error.params, { authority: ctx.state.authority });
    req.log.errorCode = String(instance.body.error_codes[0]);
    return jsonResponse(instance.status, instance.body, NO_STORE);
  }
}

async function processTokenRequest(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
): Promise<EmulatorResponse> {
  if (req.method !== "POST") fail("methodNotAllowed", { verbs: "POST", verb: req.method });
  const resolution = resolveTenant(ctx.state, segment);
  if (!resolution.ok) fail(resolution.error, { tenant: segment });
  const target = resolution.target;
  if (target.kind === "tenant") req.log.tenantId = target.tenant.id;

  const form = formBody(req);
  const grantType = form.get("grant_type");
  if (!grantType) fail("missingParameter", { name: "grant_type" });
  req.log.grantType = grantType;
  const basic = parseBasicAuth(req);
  if (basic === null) fail("malformedRequest");
  const clientId = form.get("client_id") ?? basic?.clientId;
  if (!clientId) fail("missingParameter", { name: "client_id" });
  if (basic && form.get("client_id") && basic.clientId !== form.get("client_id"))
    fail("invalidParameter", { name: "client_id" });
  req.log.clientId = clientId;
  const scope = form.get("scope");
  if (scope !== null) req.log.scope = scope;
  if (form.get("resource") !== null) fail("resourceParameterNotSupported");

  const request: TokenRequest = { ctx, req, form, target, clientId };
  switch (grantType) {
    case "client_credentials":
      return clientCredentials(request);
    case "authorization_code":
      return authorizationCode(request);
    case "refresh_token":
      return refreshToken(request);
    default:
      return fail("unsupportedGrantType", { grantType });
  }
}

function tokenEndpointsFor(ctx: EmulatorContext, target: TenantTarget): string[] {
  const authority = ctx.state.authority;
  const segments = new Set<string>([target.segment]);
  if (target.kind === "tenant") {
    segments.add(target.tenant.id);
    segments.add(target.tenant.primaryDomain);
    for (const d of target.tenant.domains) segments.add(d);
  }
  return [...segments].flatMap((s) => [`${authority}/${s}/oauth2/v2.0/token`, `${authority}/${s}/oauth2/token`]);
}

/** The app must exist in the tenant (its SP, replicated), be multi-tenant for foreign tenants, be enabled. */
function requireAppInTenant(ctx: EmulatorContext, clientId: string, tenant: Tenant): void {
  const app = ctx.state.scenario.app;
  const known = sameGuid(app.clientId, clientId);
  const isHome = sameGuid(app.homeTenantId, tenant.id);
  if (!known || (!isHome && (!app.multiTenant || !ctx.state.servicePrincipalVisible(tenant)))) {
    // Consented but still replicating: the scenario says which of Entra's two answers it gives.
    const replicating = known && app.multiTenant && tenant.appConsented;
    if (replicating && ctx.state.scenario.settings.replicationErrorCode === 7000229)
      fail("servicePrincipalMissing", { clientId, tenantId: tenant.id });
    fail("appNotFoundInDirectory", { clientId, tenantName: tenant.displayName });
  }
  if (app.disabled) fail("appDisabled", { clientId, appName: app.displayName });
}

async function authenticate(
  request: TokenRequest,
  registration: Pick<ClientApp, "clientId" | "secrets" | "certificates"> = request.ctx.state.scenario.app,
): Promise<{ appidacr: AppIdAcr }> {
  const { ctx, req, form, target } = request;
  const scenario = ctx.state.scenario;
  const result = await authenticateClient(form, parseBasicAuth(req) ?? undefined, {
    app: registration,
    settings: scenario.settings,
    tokenEndpoints: tokenEndpointsFor(ctx, target),
    ...(registration === scenario.app ? { federated: federatedContext(ctx) } : {}),
  });
  if (!result.ok) fail(result.error, result.params);
  req.log.clientAuth = result.method;
  if (result.certificateThumbprint) req.log.certificateThumbprint = result.certificateThumbprint;
  return { appidacr: result.appidacr };
}

/** Success body in Entra's field order: token_type, scope, expires_in, ext_expires_in, then the tokens. */
function tokenResponse(
  ctx: EmulatorContext,
  fields: { scope?: string; access_token: string; refresh_token?: string; id_token?: string; client_info?: string },
): EmulatorResponse {
  const lifetime = ctx.state.scenario.settings.tokenLifetimeSeconds;
  const body: Record<string, unknown> = { token_type: "Bearer" };
  if (fields.scope !== undefined) body.scope = fields.scope;
  body.expires_in = lifetime;
  body.ext_expires_in = lifetime;
  body.access_token = fields.access_token;
  if (fields.refresh_token !== undefined) body.refresh_token = fields.refresh_token;
  if (fields.id_token !== undefined) body.id_token = fields.id_token;
  if (fields.client_info !== undefined) body.client_info = fields.client_info;
  return jsonResponse(200, body, NO_STORE);
}

// ------------------------------------------------------------------ client_credentials

async function clientCredentials(request: TokenRequest): Promise<EmulatorResponse> {
  const { ctx, form, target, clientId } = request;
  if (target.kind === "common" || target.kind === "consumers") fail("grantNotSupportedOnCommon");
  if (target.kind === "organizations") fail("tenantRealmMissing");
  const tenant = target.tenant;
  const clientApp = ctx.state.scenario.clientApps.find((c) => sameGuid(c.clientId, clientId));
  if (clientApp) return clientAppCredentials(request, tenant, clientApp);
  requireAppInTenant(ctx, clientId, tenant);
  const { appidacr } = await authenticate(request);

  const only = singleDefaultScope(form);
  const resource = classifyResource(only.resource, ctx.state.scenario.app.clientId);
  checkResourceInTenant(resource.kind, only.resource, tenant);
  const app = ctx.state.scenario.app;
  if (resource.kind === "self") {
    requireIdentifierUri(only.resource, app.identifierUris, tenant);
    // Application permissions (app roles for applications) exist only through an administrator's consent; a
    // user's own consent creates the service principal but never grants them (docs/protocol/entra.md). Consent
    // grants what the registration requires ("API permissions"), nothing more.
    // (emulator/grants.ts: what the tenant granted, also what Graph's directory objects show.)
    const roles = grantedSelfRoles(ctx.state.scenario, tenant);
    const accessToken = await mintApiAccessToken(ctx.signer, {
      authority: ctx.state.authority,
      tenant,
      callerClientId: app.clientId,
      callerObjectId: tenant.servicePrincipalObjectId,
      api: app,
      requestedResource: only.resource,
      appidacr,
      lifetimeSeconds: ctx.state.scenario.settings.tokenLifetimeSeconds,
      roles,
    });
    return tokenResponse(ctx, { access_token: accessToken });
  }
  // Graph application permissions exist where an administrator consented (the ISV's own tenant included) or
  // assigned them directly.
  const graphRoles = resource.kind === "graph" ? grantedGraphRoles(ctx.state.scenario, tenant) : [];
  const accessToken = await mintAppOnlyAccessToken(ctx.signer, {
    tenant,
    app,
    audience: resource.audience,
    appidacr,
    lifetimeSeconds: ctx.state.scenario.settings.tokenLifetimeSeconds,
    roles: graphRoles,
  });
  return tokenResponse(ctx, { access_token: accessToken });
}

/** Client credentials take exactly one `<resource>/.default` (docs/protocol/entra.md A4, C8). */
function singleDefaultScope(form: URLSearchParams): { resource: string } {
  const scope = form.get("scope");
  if (!scope) fail("missingParameter", { name: "scope" });
  const parsed = parseScopes(scope);
  if (parsed.resources.length > 1) fail("multipleResources", { scope });
  const only = parsed.resourceScopes[0];
  if (parsed.oidc.length > 0 || !only || parsed.resourceScopes.some((s) => s.permission !== ".default")) {
    fail("clientCredentialsScope", { scope });
  }
  return only;
}

/** `api://…` names the app only through an Application ID URI it exposes; the bare client id always does. */
function requireIdentifierUri(resource: string, identifierUris: string[], tenant: Tenant): void {
  if (/^api:\/\//i.test(resource) && !identifierUris.some((u) => sameResource(u, resource)))
    fail("resourceNotFound", { resource, tenantName: tenant.id });
}

/**
 * A client app (a daemon, e.g. the ISV's back end) asking for a token to the ISV app's API
 * (docs/protocol/entra.md "The portal's own API"): single-tenant, so only in its home tenant (else 700016); the
 * API's service principal must exist there (else 500011); `roles` = the Application roles granted to it.
 */
async function clientAppCredentials(
  request: TokenRequest,
  tenant: Tenant,
  client: ClientApp,
): Promise<EmulatorResponse> {
  const { ctx, form } = request;
  if (!sameGuid(client.homeTenantId, tenant.id))
    fail("appNotFoundInDirectory", { clientId: client.clientId, tenantName: tenant.displayName });
  const { appidacr } = await authenticate(request, client);
  const only = singleDefaultScope(form);
  const app = ctx.state.scenario.app;
  const resource = classifyResource(only.resource, app.clientId);
  const apiPresent =
    sameGuid(app.homeTenantId, tenant.id) || (tenant.appConsented && ctx.state.servicePrincipalVisible(tenant));
  // The emulator knows no other API a client app could call.
  if (resource.kind !== "self" || !apiPresent)
    fail("resourceNotFound", { resource: only.resource, tenantName: tenant.id });
  requireIdentifierUri(only.resource, app.identifierUris, tenant);
  const applicationRoles = new Set(
    app.appRoles.filter((r) => r.allowedMemberTypes.includes("Application")).map((r) => r.value),
  );
  const accessToken = await mintApiAccessToken(ctx.signer, {
    authority: ctx.state.authority,
    tenant,
    callerClientId: client.clientId,
    callerObjectId: client.servicePrincipalObjectId,
    api: app,
    requestedResource: only.resource,
    appidacr,
    lifetimeSeconds: ctx.state.scenario.settings.tokenLifetimeSeconds,
    roles: client.grantedAppRoles.filter((r) => applicationRoles.has(r)),
  });
  return tokenResponse(ctx, { access_token: accessToken });
}

/** 500011 when the resource principal does not exist in the tenant (docs/protocol/entra.md A5, C15). */
function checkResourceInTenant(
  kind: ReturnType<typeof classifyResource>["kind"],
  resource: string,
  tenant: Tenant,
): void {
  if (kind === "unknown") fail("resourceNotFound", { resource, tenantName: tenant.id });
  if ((kind === "dataverse" || kind === "globaldisco") && !tenant.hasDataverse)
    fail("resourceNotFound", { resource, tenantName: tenant.id });
}

// ------------------------------------------------------------------ user tokens (code / refresh)

interface UserGrant {
  tenantId: string;
  oid: string;
  scope: string;
  authTime: number;
  nonce?: string;
}

/**
 * Tokens for a signed-in user: an access token for one resource (the first resource scope, Graph
 * when only OIDC scopes were asked), an ID token when `openid` was granted, a refresh token with
 * `offline_access`.
 */
async function userTokens(
  request: TokenRequest,
  grant: UserGrant,
  appidacr: AppIdAcr,
  options: { includeIdToken: boolean },
): Promise<EmulatorResponse> {
  const { ctx, form } = request;
  const state = ctx.state;
  const tenant = state.tenantById(grant.tenantId);
  const user = tenant ? state.userOf(tenant, grant.oid) : undefined;
  if (!tenant || !user) return fail("refreshTokenRevoked");
  const app = state.scenario.app;
  const settings = state.scenario.settings;

  const granted = parseScopes(grant.scope);
  const requestedScope = form.get("scope");
  const requested = requestedScope ? parseScopes(requestedScope) : granted;
  if (requested.resources.length > 1) fail("multipleResources", { scope: requestedScope ?? grant.scope });
  const resourceName = requested.resources[0] ?? GRAPH_RESOURCE;
  const resource = classifyResource(resourceName, app.clientId);
  checkResourceInTenant(resource.kind, resourceName, tenant);
  const permissions = requested.resourceScopes.filter((s) => s.resource === resourceName).map((s) => s.permission);
  const scp =
    resource.kind === "graph"
      ? [
          ...new Set([
            ...permissions.filter((p) => p !== ".default"),
            "User.Read",
            ...granted.oidc.filter((s) => s !== "offline_access"),
          ]),
        ].join(" ")
      : resource.kind === "dataverse" || resource.kind === "globaldisco"
        ? "user_impersonation"
        : permissions.filter((p) => p !== ".default").join(" ") || "access_as_user";

  const accessToken = await mintDelegatedAccessToken(ctx.signer, {
    tenant,
    user,
    app,
    audience: resource.audience,
    scp,
    appidacr,
    lifetimeSeconds: settings.tokenLifetimeSeconds,
    authTime: grant.authTime,
    includeWids: settings.includeWidsInIdToken,
  });
  const allOidc = new Set([...granted.oidc, ...requested.oidc]);
  const responseScope =
    resource.kind === "graph"
      ? scp
      : [`${resourceName}/${scp}`, ...[...allOidc].filter((s) => s !== "offline_access")].join(" ");
  const fields: Parameters<typeof tokenResponse>[1] = { scope: responseScope, access_token: accessToken };
  if (allOidc.has("offline_access")) {
    const refresh: RefreshGrant = {
      token: `1.${opaqueToken(64)}`,
      clientId: app.clientId,
      tenantId: tenant.id,
      oid: user.oid,
      scope: grant.scope,
      authTime: grant.authTime,
      revoked: false,
    };
    state.refreshTokens.set(refresh.token, refresh);
    fields.refresh_token = refresh.token;
  }
  if (options.includeIdToken && allOidc.has("openid")) {
    const isHomeTenant = sameGuid(app.homeTenantId, tenant.id);
    fields.id_token = await mintIdToken(ctx.signer, {
      authority: state.authority,
      tenant,
      user,
      clientId: app.clientId,
      ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
      scopes: [...allOidc],
      lifetimeSeconds: settings.idTokenLifetimeSeconds,
      authTime: grant.authTime,
      // An optional claim of the registration (docs/protocol/entra.md "Re-authentication").
      includeAuthTime: app.idTokenOptionalClaims.includes("auth_time"),
      includeWids: settings.includeWidsInIdToken,
      // App role assignments live on the app's service principal; the demo assigns them in the home tenant.
      roles: isHomeTenant || state.servicePrincipalVisible(tenant) ? user.appRoles : [],
      sid: newSessionId(),
    });
  }
  if (form.get("client_info") === "1") fields.client_info = clientInfo(user.oid, tenant.id);
  return tokenResponse(ctx, fields);
}

function verifyPkce(grant: AuthorizationCodeGrant, verifier: string | null): void {
  if (!grant.codeChallenge) return;
  if (!verifier) fail("pkceMissingVerifier");
  const computed =
    grant.codeChallengeMethod === "plain" ? verifier : createHash("sha256").update(verifier).digest("base64url");
  if (computed !== grant.codeChallenge) fail("pkceMismatch");
}

async function authorizationCode(request: TokenRequest): Promise<EmulatorResponse> {
  const { ctx, form, target, clientId } = request;
  const state = ctx.state;
  const code = form.get("code");
  if (!code) fail("missingParameter", { name: "code" });
  const grant = state.authorizationCodes.get(code);
  if (!grant) fail("codeMalformed");
  if (grant.redeemed) fail("codeAlreadyRedeemed");
  if (Date.now() > grant.expiresAt) fail("codeExpired");
  if (!sameGuid(grant.clientId, clientId)) fail("codeOtherClient");
  // Redeem against the same tenant the code was acquired for (/common, or the user's tenant).
  const sameSegment = grant.tenantSegment.toLowerCase() === target.segment.toLowerCase();
  const sameTenant = target.kind === "tenant" && sameGuid(target.tenant.id, grant.tenantId);
  if (!sameSegment && !sameTenant) fail("codeOtherTenant");
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) fail("missingParameter", { name: "redirect_uri" });
  if (redirectUri !== grant.redirectUri)
    fail("redirectUriMismatchAtToken", { actual: redirectUri, expected: grant.redirectUri });

  const tenant = state.tenantById(grant.tenantId);
  if (!tenant) fail("codeMalformed");
  if (state.scenario.app.disabled) fail("appDisabled", { clientId, appName: state.scenario.app.displayName });
  const { appidacr } = await authenticate(request);
  verifyPkce(grant, form.get("code_verifier"));
  grant.redeemed = true;
  return userTokens(
    request,
    {
      tenantId: grant.tenantId,
      oid: grant.oid,
      scope: grant.scope,
      authTime: grant.authTime,
      ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    },
    appidacr,
    { includeIdToken: true },
  );
}

async function refreshToken(request: TokenRequest): Promise<EmulatorResponse> {
  const { ctx, form, target, clientId } = request;
  const token = form.get("refresh_token");
  if (!token) fail("missingParameter", { name: "refresh_token" });
  const grant = ctx.state.refreshTokens.get(token);
  if (!grant) fail("refreshTokenInvalid");
  if (!sameGuid(grant.clientId, clientId)) fail("codeOtherClient");
  if (target.kind === "tenant" && !sameGuid(target.tenant.id, grant.tenantId)) fail("codeOtherTenant");
  if (grant.revoked) fail("refreshTokenRevoked");
  if (ctx.state.scenario.app.disabled) fail("appDisabled", { clientId, appName: ctx.state.scenario.app.displayName });
  const { appidacr } = await authenticate(request);
  const requestedScope = form.get("scope");
  // Requested permissions must be among the consented ones (all static permissions of the app).
  if (requestedScope) {
    const tenant = ctx.state.tenantById(grant.tenantId);
    if (tenant && !ctx.state.hasConsented(tenant, grant.oid)) {
      fail("consentRequiredForResource", { clientId, appName: ctx.state.scenario.app.displayName });
    }
  }
  return userTokens(
    request,
    { tenantId: grant.tenantId, oid: grant.oid, scope: grant.scope, authTime: grant.authTime },
    appidacr,
    {
      includeIdToken: true,
    },
  );
}
