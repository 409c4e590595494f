/**
 * The interactive endpoints (docs/protocol/entra.md A2, A3):
 *
 * - `/{tenant}/oauth2/v2.0/authorize` and legacy v1 `/{tenant}/oauth2/authorize` (prompt=admin_consent)
 * - `/{tenant}/v2.0/adminconsent` and legacy `/{tenant}/adminconsent`
 * - `POST /{tenant}/login` (account picker) and `POST /{tenant}/Consent/Set` (consent screen)
 * - `/{tenant}/oauth2/v2.0/logout`
 *
 * Until client_id and redirect_uri are validated, errors are shown as a page (a redirect could
 * leak to an attacker); afterwards they go to the redirect URI.
 */
import type { EmulatorContext } from "../context";
import { sameGuid } from "../guid";
import { formBody, htmlResponse, parseCookies, redirectResponse, requestParams } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { Tenant, TenantUser } from "../scenario";
import { opaqueToken } from "../state";
import type { AuthorizeTransaction, BrowserSession } from "../state";
import { mintIdToken, newSessionId } from "./claims";
import { accountPickerPage, consentPage, needAdminApprovalPage, signedOutPage, wrongAccountKindPage } from "./pages";
import type { ConsentPermission, PickerAccount } from "./pages";
import { cancelToClient, errorPageResponse, errorToClient, respondToClient } from "./redirects";
import { classifyResource, normalizeResource, parseScopes } from "./scopes";
import { isConsumerTenant, resolveTenant, tenantsOfferedBy } from "./tenant-resolution";
import type { TenantTarget } from "./tenant-resolution";

const SESSION_COOKIE = "emulator_session";
const TRANSACTION_TTL_MS = 60 * 60 * 1000;

// ------------------------------------------------------------------ shared validation

/**
 * Exact match against the registered redirect URIs; for http://localhost and http://127.0.0.1 the
 * port is ignored when the setting says so (Entra's loopback exception, [U]).
 */
export function redirectUriRegistered(registered: string[], candidate: string, ignoreLoopbackPort: boolean): boolean {
  if (registered.includes(candidate)) return true;
  if (!ignoreLoopbackPort) return false;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !["localhost", "127.0.0.1"].includes(url.hostname)) return false;
  return registered.some((r) => {
    try {
      const reg = new URL(r);
      return (
        reg.protocol === url.protocol &&
        reg.hostname === url.hostname &&
        reg.pathname === url.pathname &&
        reg.search === url.search
      );
    } catch {
      return false;
    }
  });
}

type ClientValidation =
  { ok: true; target: TenantTarget; clientId: string; redirectUri: string } | { ok: false; response: EmulatorResponse };

function validateClient(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
  params: URLSearchParams,
): ClientValidation {
  const resolution = resolveTenant(ctx.state, segment);
  if (!resolution.ok)
    return { ok: false, response: errorPageResponse(ctx, req, resolution.error, { tenant: segment }) };
  const target = resolution.target;
  if (target.kind === "tenant") req.log.tenantId = target.tenant.id;
  const clientId = params.get("client_id");
  if (!clientId) return { ok: false, response: errorPageResponse(ctx, req, "missingParameter", { name: "client_id" }) };
  req.log.clientId = clientId;
  const app = ctx.state.scenario.app;
  if (!sameGuid(clientId, app.clientId)) {
    const tenantName = target.kind === "tenant" ? target.tenant.displayName : target.segment;
    return { ok: false, response: errorPageResponse(ctx, req, "appNotFoundInDirectory", { clientId, tenantName }) };
  }
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return { ok: false, response: errorPageResponse(ctx, req, "noReplyAddress", {}) };
  if (!redirectUriRegistered(app.redirectUris, redirectUri, ctx.state.scenario.settings.ignoreLoopbackRedirectPort)) {
    return { ok: false, response: errorPageResponse(ctx, req, "redirectUriMismatch", { redirectUri, clientId }) };
  }
  return { ok: true, target, clientId, redirectUri };
}

function isAdmin(ctx: EmulatorContext, user: TenantUser): boolean {
  return user.wids.some((w) => ctx.state.scenario.settings.consentAdminRoleIds.some((a) => sameGuid(a, w)));
}

function newTransaction(
  ctx: EmulatorContext,
  fields: Omit<AuthorizeTransaction, "id" | "createdAt">,
): AuthorizeTransaction {
  const now = Date.now();
  for (const [id, txn] of ctx.state.transactions)
    if (now - txn.createdAt > TRANSACTION_TTL_MS) ctx.state.transactions.delete(id);
  const txn: AuthorizeTransaction = { ...fields, id: opaqueToken(24), createdAt: now };
  ctx.state.transactions.set(txn.id, txn);
  return txn;
}

function offeredAccounts(ctx: EmulatorContext, target: TenantTarget): { tenant: Tenant; user: TenantUser }[] {
  return tenantsOfferedBy(ctx.state, target).flatMap((tenant) => tenant.users.map((user) => ({ tenant, user })));
}

/**
 * The accounts a person could type on the sign-in page. On `organizations` and `consumers` anyone can type any
 * address; the wrong kind is refused on the page itself (wrongAccountKindRefusal), so the picker lists all.
 */
function typeableAccounts(ctx: EmulatorContext, target: TenantTarget): { tenant: Tenant; user: TenantUser }[] {
  if (target.kind === "organizations" || target.kind === "consumers")
    return offeredAccounts(ctx, { kind: "common", segment: "common" });
  return offeredAccounts(ctx, target);
}

/**
 * Microsoft's words on its sign-in page when the account is of the wrong kind for the authority
 * (docs/protocol/entra.md A2 "Personal accounts at `organizations`"). Entra shows them under the username
 * field, on its own page: no redirect to the app, no consent screen, nothing about the app.
 */
export const WRONG_ACCOUNT_KIND = {
  organizations: "You can't sign in here with a personal account. Use your work or school account instead.",
  consumers: "That Microsoft account doesn't exist. Enter a different account or get a new one.",
} as const;

function wrongAccountKindRefusal(
  txn: AuthorizeTransaction,
  kind: "organizations" | "consumers",
  user: TenantUser,
): EmulatorResponse {
  return htmlResponse(
    200,
    wrongAccountKindPage({
      formAction: `/${encodeURIComponent(txn.tenantSegment)}/login`,
      transactionId: txn.id,
      upn: user.upn,
      message: WRONG_ACCOUNT_KIND[kind],
    }),
  );
}

function pickerResponse(ctx: EmulatorContext, txn: AuthorizeTransaction, target: TenantTarget): EmulatorResponse {
  const accounts = typeableAccounts(ctx, target);
  const hint = txn.loginHint?.toLowerCase();
  accounts.sort((a, b) => Number(b.user.upn.toLowerCase() === hint) - Number(a.user.upn.toLowerCase() === hint));
  const picker: PickerAccount[] = accounts.map(({ tenant, user }) => ({
    value: `${tenant.id}:${user.oid}`,
    displayName: user.displayName,
    upn: user.upn,
    tenantName: tenant.organizationName ?? tenant.displayName,
  }));
  return htmlResponse(
    200,
    accountPickerPage({
      appName: ctx.state.scenario.app.displayName,
      formAction: `/${encodeURIComponent(txn.tenantSegment)}/login`,
      transactionId: txn.id,
      accounts: picker,
      // prompt=login: the credentials are asked for again (docs/protocol/entra.md "Re-authentication").
      ...(txn.prompt === "login" ? { heading: "Sign in again" } : {}),
    }),
  );
}

// ------------------------------------------------------------------ sessions (prompt=none)

function sessionOf(ctx: EmulatorContext, req: EmulatorRequest): BrowserSession | undefined {
  const id = parseCookies(req)[SESSION_COOKIE];
  return id ? ctx.state.sessions.get(id) : undefined;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function sessionAccount(session: BrowserSession | undefined, tenantId: string, oid: string) {
  return session?.accounts.find((a) => sameGuid(a.tenantId, tenantId) && sameGuid(a.oid, oid));
}

/**
 * Whether picking this account must count as entering credentials again (docs/protocol/entra.md
 * "Re-authentication"): `prompt=login`, an account this browser has not signed in with, or one whose last
 * authentication is older than `max_age` seconds. Otherwise it is single sign-on.
 */
function mustAuthenticate(txn: AuthorizeTransaction, account: { authTime: number } | undefined): boolean {
  if (txn.prompt === "login" || !account) return true;
  return txn.maxAge !== undefined && nowSeconds() - account.authTime >= txn.maxAge;
}

/** Records the sign-in in the browser session; returns the cookie and the time the user last authenticated. */
function rememberSignIn(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  txn: AuthorizeTransaction,
  tenant: Tenant,
  user: TenantUser,
): { cookie: string; authTime: number } {
  let session = sessionOf(ctx, req);
  if (!session) {
    session = { id: opaqueToken(24), accounts: [] };
    ctx.state.sessions.set(session.id, session);
  }
  let account = sessionAccount(session, tenant.id, user.oid);
  if (mustAuthenticate(txn, account)) {
    if (account) account.authTime = nowSeconds();
    else session.accounts.push((account = { tenantId: tenant.id, oid: user.oid, authTime: nowSeconds() }));
  }
  return {
    cookie: `${SESSION_COOKIE}=${session.id}; Path=/; Secure; HttpOnly; SameSite=None`,
    authTime: account!.authTime,
  };
}

// ------------------------------------------------------------------ /authorize

const RESPONSE_TYPES = new Set(["code", "id_token", "code id_token"]);

export function handleAuthorize(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
  protocol: "v1" | "v2",
): Promise<EmulatorResponse> | EmulatorResponse {
  req.log.kind = "entra.authorize";
  req.log.tenant = segment;
  const params = requestParams(req);
  const client = validateClient(ctx, req, segment, params);
  if (!client.ok) return client.response;
  const { target, clientId, redirectUri } = client;
  const app = ctx.state.scenario.app;
  const state = params.get("state") ?? undefined;

  const responseTypeRaw = params.get("response_type");
  const responseType = (responseTypeRaw ?? "").split(/\s+/).filter(Boolean).sort().join(" ");
  const includesIdToken = responseType.split(" ").includes("id_token");
  const defaultMode = includesIdToken ? "fragment" : "query";
  const modeParam = params.get("response_mode");
  const responseMode = modeParam ?? defaultMode;
  const modeValid = responseMode === "query" || responseMode === "fragment" || responseMode === "form_post";
  const endpoint = { redirectUri, responseMode: modeValid ? responseMode : defaultMode, state } as const;

  if (!modeValid) return errorToClient(ctx, req, endpoint, "unsupportedResponseMode", { responseMode });
  if (!responseTypeRaw) return errorToClient(ctx, req, endpoint, "missingParameter", { name: "response_type" });
  if (!RESPONSE_TYPES.has(responseType))
    return errorToClient(ctx, req, endpoint, "unsupportedResponseType", { responseType: responseTypeRaw });
  if (includesIdToken && !app.idTokenImplicitGrant) return errorToClient(ctx, req, endpoint, "idTokenNotEnabled", {});
  if (includesIdToken && responseMode === "query")
    return errorToClient(ctx, req, endpoint, "unsupportedResponseMode", { responseMode });

  let scope = params.get("scope") ?? "";
  if (protocol === "v2" && !scope) return errorToClient(ctx, req, endpoint, "missingParameter", { name: "scope" });
  if (protocol === "v1")
    scope = [...new Set(["openid", "profile", "offline_access", ...scope.split(/\s+/).filter(Boolean)])].join(" ");
  if (includesIdToken && !scope.split(/\s+/).includes("openid"))
    return errorToClient(ctx, req, endpoint, "unsupportedResponseType", { responseType: responseTypeRaw });
  const nonce = params.get("nonce") ?? undefined;
  if (includesIdToken && !nonce) return errorToClient(ctx, req, endpoint, "missingParameter", { name: "nonce" });

  const codeChallenge = params.get("code_challenge") ?? undefined;
  const methodParam = params.get("code_challenge_method");
  if (methodParam !== null && methodParam !== "S256" && methodParam !== "plain") {
    return errorToClient(ctx, req, endpoint, "invalidCodeChallengeMethod", { method: methodParam });
  }
  if (codeChallenge !== undefined && (codeChallenge.length < 43 || codeChallenge.length > 128)) {
    return errorToClient(ctx, req, endpoint, "invalidCodeChallengeMethod", { method: methodParam ?? "plain" });
  }
  if (!app.multiTenant && (target.kind === "common" || target.kind === "organizations")) {
    return errorToClient(ctx, req, endpoint, "notMultiTenant", { clientId, appName: app.displayName });
  }

  const prompt = params.get("prompt") ?? undefined;
  // OIDC max_age (docs/protocol/entra.md "Re-authentication"): a non-negative integer of seconds ([U] Entra's answer
  // to anything else; strict).
  const maxAgeParam = params.get("max_age");
  if (maxAgeParam !== null && !/^\d{1,10}$/.test(maxAgeParam))
    return errorToClient(ctx, req, endpoint, "invalidParameter", { name: "max_age" });
  const maxAge = maxAgeParam === null ? undefined : Number(maxAgeParam);
  const loginHint = params.get("login_hint") ?? undefined;
  const resource = params.get("resource") ?? undefined;
  const txn = newTransaction(ctx, {
    flow: "authorize",
    tenantSegment: target.segment,
    protocol,
    clientId,
    redirectUri,
    responseType,
    responseMode: endpoint.responseMode,
    scope: resource ? `${scope} ${resource.replace(/\/$/, "")}/.default` : scope,
    ...(state !== undefined ? { state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(codeChallenge !== undefined
      ? { codeChallenge, codeChallengeMethod: methodParam === "S256" ? "S256" : "plain" }
      : {}),
    ...(prompt !== undefined ? { prompt } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(loginHint !== undefined ? { loginHint } : {}),
    ...(resource !== undefined ? { resource } : {}),
  });
  if (prompt === "none") return silentAuthorize(ctx, req, txn, target);
  return pickerResponse(ctx, txn, target);
}

/** prompt=none: only an existing session with exactly one eligible account can answer. */
async function silentAuthorize(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  txn: AuthorizeTransaction,
  target: TenantTarget,
): Promise<EmulatorResponse> {
  const offered = offeredAccounts(ctx, target);
  const session = sessionOf(ctx, req);
  const hint = txn.loginHint?.toLowerCase();
  const candidates = offered.filter(
    ({ tenant, user }) =>
      session?.accounts.some((a) => sameGuid(a.tenantId, tenant.id) && sameGuid(a.oid, user.oid)) &&
      (!hint || user.upn.toLowerCase() === hint),
  );
  if (candidates.length === 0) return errorToClient(ctx, req, txn, "loginRequired", {});
  if (candidates.length > 1) return errorToClient(ctx, req, txn, "interactionRequired", {});
  const { tenant, user } = candidates[0] ?? { tenant: undefined, user: undefined };
  if (!tenant || !user) return errorToClient(ctx, req, txn, "loginRequired", {});
  // No interaction is allowed, so a sign-in older than max_age cannot be renewed here.
  const account = sessionAccount(session, tenant.id, user.oid);
  if (mustAuthenticate(txn, account)) return errorToClient(ctx, req, txn, "loginRequired", {});
  if (
    !ctx.state.hasConsented(tenant, user.oid) ||
    dynamicResources(ctx, txn.scope).some((r) => !ctx.state.hasDelegatedGrant(tenant, user.oid, r.resource))
  ) {
    return errorToClient(ctx, req, txn, "consentRequired", {
      clientId: txn.clientId,
      appName: ctx.state.scenario.app.displayName,
    });
  }
  txn.selected = { tenantId: tenant.id, oid: user.oid, authTime: account!.authTime };
  return issueAuthorizationResponse(ctx, req, txn, tenant, user);
}

// ------------------------------------------------------------------ admin consent

export function handleAdminConsent(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
  flavour: "v2" | "legacy",
): EmulatorResponse {
  req.log.kind = "entra.adminconsent";
  req.log.tenant = segment;
  const params = req.url.searchParams;
  const client = validateClient(ctx, req, segment, params);
  if (!client.ok) return client.response;
  const { target, clientId, redirectUri } = client;
  const state = params.get("state") ?? undefined;
  const endpoint = { redirectUri, responseMode: "query" as const, state };
  const scope = params.get("scope") ?? "";
  if (flavour === "v2" && !scope) return errorToClient(ctx, req, endpoint, "missingParameter", { name: "scope" });
  const txn = newTransaction(ctx, {
    flow: flavour === "v2" ? "adminconsent-v2" : "adminconsent-legacy",
    tenantSegment: target.segment,
    protocol: flavour === "v2" ? "v2" : "v1",
    clientId,
    redirectUri,
    responseType: "none",
    responseMode: "query",
    scope,
    ...(state !== undefined ? { state } : {}),
  });
  return pickerResponse(ctx, txn, target);
}

// ------------------------------------------------------------------ account picker post

function transactionFrom(ctx: EmulatorContext, form: URLSearchParams): AuthorizeTransaction | undefined {
  const id = form.get("txn");
  if (!id) return undefined;
  const txn = ctx.state.transactions.get(id);
  if (!txn || Date.now() - txn.createdAt > TRANSACTION_TTL_MS) return undefined;
  return txn;
}

export async function handleLogin(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
): Promise<EmulatorResponse> {
  req.log.kind = "entra.login";
  req.log.tenant = segment;
  const form = formBody(req);
  const txn = transactionFrom(ctx, form);
  if (!txn) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  req.log.clientId = txn.clientId;
  if (form.get("action") === "cancel") {
    ctx.state.transactions.delete(txn.id);
    return cancelToClient(txn);
  }
  const resolution = resolveTenant(ctx.state, txn.tenantSegment);
  if (!resolution.ok) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  if (form.get("action") === "another") return pickerResponse(ctx, txn, resolution.target);
  const [tenantId, oid] = (form.get("account") ?? "").split(":");
  if (!tenantId || !oid) return errorPageResponse(ctx, req, "invalidParameter", { name: "account" });
  const chosen = ({ tenant, user }: { tenant: Tenant; user: TenantUser }) =>
    sameGuid(tenant.id, tenantId) && sameGuid(user.oid, oid);
  const picked = offeredAccounts(ctx, resolution.target).find(chosen);
  if (!picked) {
    const typed = typeableAccounts(ctx, resolution.target).find(chosen);
    const kind = resolution.target.kind;
    if (typed && (kind === "organizations" || kind === "consumers")) {
      req.log.tenantId = typed.tenant.id;
      return wrongAccountKindRefusal(txn, kind, typed.user);
    }
    return errorPageResponse(ctx, req, "invalidParameter", { name: "account" });
  }
  req.log.tenantId = picked.tenant.id;
  const { cookie, authTime } = rememberSignIn(ctx, req, txn, picked.tenant, picked.user);
  txn.selected = { tenantId: picked.tenant.id, oid: picked.user.oid, authTime };
  const response = await continueAfterSignIn(ctx, req, txn, picked.tenant, picked.user);
  return withCookie(response, cookie);
}

function withCookie(response: EmulatorResponse, cookie: string): EmulatorResponse {
  return { ...response, headers: { ...response.headers, "set-cookie": cookie } };
}

/**
 * Resources requested at run time beyond the registration's static permissions (Graph and the app's own API):
 * Dataverse environments and Global Discovery, each needing its own consent (docs/protocol/entra.md
 * "Incremental consent").
 */
function dynamicResources(ctx: EmulatorContext, scope: string): { resource: string; kind: string }[] {
  const clientId = ctx.state.scenario.app.clientId;
  return parseScopes(scope)
    .resources.map((resource) => ({
      resource: normalizeResource(resource),
      kind: classifyResource(resource, clientId).kind,
    }))
    .filter((r) => r.kind !== "graph" && r.kind !== "self");
}

function consentPermissions(
  ctx: EmulatorContext,
  txn: AuthorizeTransaction,
  tenant: Tenant,
  user: TenantUser,
): ConsentPermission[] {
  const base: ConsentPermission[] = [
    { resource: "Microsoft Graph", description: "Maintain access to data you have given it access to" },
  ];
  const stat =
    ctx.state.hasConsented(tenant, user.oid) && txn.flow === "authorize" && txn.prompt !== "admin_consent"
      ? []
      : [
          ...base,
          ...ctx.state.scenario.app.requiredPermissions.map((p) => ({
            resource: p.resource,
            description: p.description,
          })),
        ];
  const dynamic = dynamicResources(ctx, txn.scope)
    .filter((r) => !ctx.state.hasDelegatedGrant(tenant, user.oid, r.resource))
    .map((r) => ({
      resource:
        r.kind === "globaldisco" ? "Dynamics CRM (Global Discovery)" : `Dynamics CRM (${new URL(r.resource).hostname})`,
      description:
        r.kind === "globaldisco"
          ? "Find the Dataverse environments you can access"
          : "Access Dynamics 365 as organization users",
    }));
  return [...stat, ...dynamic];
}

/**
 * The consent screen gets its own URL (`/{tenant}/consent?txn=…`, reached by a redirect after the
 * account picker) so that browser tests can wait for it; the decision posts to `/{tenant}/Consent/Set`.
 */
function redirectToConsent(
  txn: AuthorizeTransaction,
  organizationConsent: "forced" | "optional" | "none",
): EmulatorResponse {
  txn.consentMode = organizationConsent;
  return redirectResponse(`/${encodeURIComponent(txn.tenantSegment)}/consent?txn=${encodeURIComponent(txn.id)}`);
}

export function handleConsentPage(ctx: EmulatorContext, req: EmulatorRequest, segment: string): EmulatorResponse {
  req.log.kind = "entra.consent";
  req.log.tenant = segment;
  const txn = transactionFrom(ctx, req.url.searchParams);
  const tenant = txn?.selected ? ctx.state.tenantById(txn.selected.tenantId) : undefined;
  const user = tenant && txn?.selected ? ctx.state.userOf(tenant, txn.selected.oid) : undefined;
  if (!txn || !user || !txn.consentMode) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  const app = ctx.state.scenario.app;
  return htmlResponse(
    200,
    consentPage({
      appName: app.displayName,
      publisherDomain: app.publisherDomain,
      formAction: `/${encodeURIComponent(txn.tenantSegment)}/Consent/Set`,
      transactionId: txn.id,
      userUpn: user.upn,
      permissions: consentPermissions(ctx, txn, tenant!, user),
      organizationConsent: txn.consentMode,
    }),
  );
}

async function continueAfterSignIn(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  txn: AuthorizeTransaction,
  tenant: Tenant,
  user: TenantUser,
): Promise<EmulatorResponse> {
  const app = ctx.state.scenario.app;
  const isHome = sameGuid(app.homeTenantId, tenant.id);
  const admin = isAdmin(ctx, user) && !isConsumerTenant(tenant);
  const appName = app.displayName;

  if (txn.flow !== "authorize") {
    if (!admin)
      return isConsumerTenant(tenant)
        ? errorToClient(ctx, req, txn, "adminConsentRequired", {})
        : needAdminApproval(ctx, txn, user);
    if (!isHome && !app.multiTenant)
      return errorToClient(ctx, req, txn, "appNotFoundInDirectory", {
        clientId: txn.clientId,
        tenantName: tenant.displayName,
      });
    return redirectToConsent(txn, "forced");
  }

  if (!isHome && !app.multiTenant)
    return errorToClient(ctx, req, txn, "appNotFoundInDirectory", {
      clientId: txn.clientId,
      tenantName: tenant.displayName,
    });
  if (app.disabled) return errorToClient(ctx, req, txn, "appDisabled", { clientId: txn.clientId, appName });
  const wantsAdminConsent = txn.prompt === "admin_consent";
  if (wantsAdminConsent && !admin)
    return isConsumerTenant(tenant)
      ? errorToClient(ctx, req, txn, "adminConsentRequired", {})
      : needAdminApproval(ctx, txn, user);
  // A run-time resource the tenant does not have fails as Entra does (docs/protocol/entra.md A5: AADSTS500011).
  const dynamic = dynamicResources(ctx, txn.scope);
  const absent = dynamic.find((r) => (r.kind === "dataverse" || r.kind === "globaldisco") && !tenant.hasDataverse);
  if (absent)
    return errorToClient(ctx, req, txn, "resourceNotFound", { resource: absent.resource, tenantName: tenant.id });
  const needsConsent =
    wantsAdminConsent ||
    txn.prompt === "consent" ||
    !ctx.state.hasConsented(tenant, user.oid) ||
    dynamic.some((r) => !ctx.state.hasDelegatedGrant(tenant, user.oid, r.resource));
  if (!needsConsent) return issueAuthorizationResponse(ctx, req, txn, tenant, user);
  // Users may consent for themselves only where the tenant allows it ("Need admin approval" otherwise).
  if (!admin && !tenant.userConsentAllowed) return errorToClient(ctx, req, txn, "adminConsentRequired", {});
  return redirectToConsent(txn, wantsAdminConsent ? "forced" : admin ? "optional" : "none");
}

/** "Need admin approval": the non-administrator may switch to an admin account or go back without consent. */
function needAdminApproval(ctx: EmulatorContext, txn: AuthorizeTransaction, user: TenantUser): EmulatorResponse {
  return htmlResponse(
    200,
    needAdminApprovalPage({
      appName: ctx.state.scenario.app.displayName,
      formAction: `/${txn.tenantSegment}/needadminapproval`,
      transactionId: txn.id,
      userUpn: user.upn,
    }),
  );
}

export function handleNeedAdminApproval(ctx: EmulatorContext, req: EmulatorRequest, segment: string): EmulatorResponse {
  req.log.kind = "entra.consent";
  req.log.tenant = segment;
  const form = formBody(req);
  const txn = transactionFrom(ctx, form);
  if (!txn) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  req.log.clientId = txn.clientId;
  if (form.get("action") === "admin") {
    const resolution = resolveTenant(ctx.state, txn.tenantSegment);
    if (!resolution.ok) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
    return pickerResponse(ctx, txn, resolution.target);
  }
  ctx.state.transactions.delete(txn.id);
  if (ctx.state.scenario.settings.needAdminApprovalReturn === "bare") return redirectResponse(txn.redirectUri);
  return errorToClient(ctx, req, txn, "adminConsentRequired", {});
}

// ------------------------------------------------------------------ consent screen post

export async function handleConsentDecision(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
): Promise<EmulatorResponse> {
  req.log.kind = "entra.consent";
  req.log.tenant = segment;
  const form = formBody(req);
  const txn = transactionFrom(ctx, form);
  if (!txn?.selected || !txn.consentMode) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  req.log.clientId = txn.clientId;
  const tenant = ctx.state.tenantById(txn.selected.tenantId);
  const user = tenant ? ctx.state.userOf(tenant, txn.selected.oid) : undefined;
  if (!tenant || !user) return errorPageResponse(ctx, req, "invalidParameter", { name: "txn" });
  req.log.tenantId = tenant.id;
  const accepted = form.get("decision") === "accept";
  const adminFlow = txn.flow !== "authorize";
  ctx.state.transactions.delete(txn.id);

  if (!accepted) {
    // Declining: the documented admin-consent example keeps admin_consent=True (docs/protocol/entra.md A3.1).
    return adminFlow
      ? errorToClient(ctx, req, txn, "userDeclinedConsent", {}, { prefix: [["admin_consent", "True"]] })
      : errorToClient(ctx, req, txn, "userDeclinedConsent", {}, { errorOverride: "access_denied" });
  }
  // Consent fails when the registration requires a resource the tenant does not have (docs/protocol/pitfalls.md E,
  // "Required resources"); the only such resource the emulator knows is Dataverse (Dynamics CRM).
  const missing = ctx.state.scenario.app.requiredPermissions.find(
    (p) => p.resource === "Dynamics CRM" && !tenant.hasDataverse,
  );
  if (missing) {
    return errorToClient(
      ctx,
      req,
      txn,
      "requiredResourceMissing",
      { resource: "00000007-0000-0000-c000-000000000000", tenantId: tenant.id },
      adminFlow ? { prefix: [["admin_consent", "True"]] } : {},
    );
  }
  if (adminFlow) {
    ctx.state.grantAdminConsent(tenant);
    return respondToClient(
      txn,
      txn.flow === "adminconsent-v2"
        ? [
            ["admin_consent", "True"],
            ["tenant", tenant.id],
            ["scope", txn.scope],
            ["state", txn.state],
          ]
        : [
            ["tenant", tenant.id],
            ["state", txn.state],
            ["admin_consent", "True"],
          ],
    );
  }
  const organizationWide = form.get("organization") === "on" && isAdmin(ctx, user);
  if (organizationWide) ctx.state.grantAdminConsent(tenant);
  else ctx.state.grantUserConsent(tenant, user.oid);
  for (const r of dynamicResources(ctx, txn.scope))
    ctx.state.grantDelegated(tenant, organizationWide ? "*" : user.oid, r.resource);
  return issueAuthorizationResponse(ctx, req, txn, tenant, user);
}

// ------------------------------------------------------------------ the code / id_token response

async function issueAuthorizationResponse(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  txn: AuthorizeTransaction,
  tenant: Tenant,
  user: TenantUser,
): Promise<EmulatorResponse> {
  const state = ctx.state;
  const settings = state.scenario.settings;
  // When the user last entered credentials: kept through single sign-on (docs/protocol/entra.md "Re-authentication").
  const authTime = txn.selected?.authTime ?? nowSeconds();
  const types = txn.responseType.split(" ");
  let code: string | undefined;
  if (types.includes("code")) {
    code = `1.${opaqueToken(96)}`;
    state.authorizationCodes.set(code, {
      code,
      clientId: txn.clientId,
      redirectUri: txn.redirectUri,
      tenantSegment: txn.tenantSegment,
      tenantId: tenant.id,
      oid: user.oid,
      scope: txn.scope,
      ...(txn.nonce !== undefined ? { nonce: txn.nonce } : {}),
      ...(txn.codeChallenge !== undefined ? { codeChallenge: txn.codeChallenge } : {}),
      ...(txn.codeChallengeMethod !== undefined ? { codeChallengeMethod: txn.codeChallengeMethod } : {}),
      authTime,
      expiresAt: Date.now() + settings.authorizationCodeLifetimeSeconds * 1000,
      redeemed: false,
      protocol: txn.protocol,
      ...(txn.resource !== undefined ? { resource: txn.resource } : {}),
    });
  }
  let idToken: string | undefined;
  if (types.includes("id_token")) {
    idToken = await mintIdToken(ctx.signer, {
      authority: state.authority,
      tenant,
      user,
      clientId: txn.clientId,
      ...(txn.nonce !== undefined ? { nonce: txn.nonce } : {}),
      scopes: txn.scope.split(/\s+/),
      lifetimeSeconds: settings.idTokenLifetimeSeconds,
      authTime,
      includeAuthTime: state.scenario.app.idTokenOptionalClaims.includes("auth_time"),
      includeWids: settings.includeWidsInIdToken,
      roles:
        sameGuid(state.scenario.app.homeTenantId, tenant.id) || state.servicePrincipalVisible(tenant)
          ? user.appRoles
          : [],
      ...(code !== undefined ? { code } : {}),
      sid: newSessionId(),
    });
  }
  state.transactions.delete(txn.id);
  req.log.tenantId = tenant.id;
  return respondToClient(txn, [
    ["code", code],
    ["id_token", idToken],
    ["state", txn.state],
    ["session_state", newSessionId()],
    // Legacy prompt=admin_consent success marker ([V-3p] older docs; [U] for form_post).
    ["admin_consent", txn.prompt === "admin_consent" ? "True" : undefined],
  ]);
}

// ------------------------------------------------------------------ logout

export function handleLogout(ctx: EmulatorContext, req: EmulatorRequest, segment: string): EmulatorResponse {
  req.log.kind = "entra.logout";
  req.log.tenant = segment;
  const params = requestParams(req);
  const session = sessionOf(ctx, req);
  if (session) ctx.state.sessions.delete(session.id);
  const clearCookie = `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0`;
  const target = params.get("post_logout_redirect_uri");
  if (target) {
    try {
      const url = new URL(target);
      const state = params.get("state");
      if (state !== null) url.searchParams.set("state", state);
      return redirectResponse(url.toString(), { "set-cookie": clearCookie });
    } catch {
      // fall through to the signed-out page
    }
  }
  return htmlResponse(200, signedOutPage(), { "set-cookie": clearCookie });
}
