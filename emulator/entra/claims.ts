/**
 * Token minting: v2 ID tokens (docs/protocol/entra.md A2) and v1 access tokens (docs/protocol/entra.md A4 "Access token for
 * Dataverse"). Dataverse, Global Discovery and Graph accept v1 tokens, so every access token the
 * emulator issues has the v1 shape (iss https://sts.windows.net/{tid}/, appid/appidacr, ver 1.0).
 */
import { createHash } from "node:crypto";
import { randomGuid } from "../guid";
import type { AppRegistration, Tenant, TenantUser } from "../scenario";
import type { TokenSigner } from "../signing";
import { opaqueToken } from "../state";
import { isConsumerTenant } from "./tenant-resolution";

export type AppIdAcr = "0" | "1" | "2";

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Opaque-looking claims Entra always adds (values have no meaning to clients). */
function opaqueClaims(): { aio: string; rh: string; uti: string } {
  return { aio: opaqueToken(48), rh: `1.${opaqueToken(40)}.`, uti: opaqueToken(16) };
}

/** Pairwise subject: unique per (user, app) (docs/protocol/entra.md A2). */
export function pairwiseSubject(oid: string, clientId: string): string {
  return createHash("sha256").update(`${oid.toLowerCase()}:${clientId.toLowerCase()}`).digest("base64url").slice(0, 43);
}

export interface AppOnlyTokenInput {
  tenant: Tenant;
  app: AppRegistration;
  audience: string;
  appidacr: AppIdAcr;
  lifetimeSeconds: number;
  /** `roles` only for tokens to the app's own API (Dataverse has no app roles: docs/protocol/entra.md A3.3). */
  roles?: string[];
}

/** App-only (client credentials) access token, v1 shape, no `roles` for Dataverse. */
export async function mintAppOnlyAccessToken(signer: TokenSigner, input: AppOnlyTokenInput): Promise<string> {
  const iat = nowSeconds();
  const tid = input.tenant.id;
  const oid = input.tenant.servicePrincipalObjectId;
  const payload: Record<string, unknown> = {
    aud: input.audience,
    iss: `https://sts.windows.net/${tid}/`,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
    aio: opaqueClaims().aio,
    appid: input.app.clientId,
    appidacr: input.appidacr,
    idp: `https://sts.windows.net/${tid}/`,
    idtyp: "app",
    oid,
    rh: opaqueClaims().rh,
    sub: oid,
    tid,
    uti: opaqueClaims().uti,
    ver: "1.0",
  };
  if (input.roles && input.roles.length > 0) payload.roles = input.roles;
  return signer.sign(payload, { v1Header: true });
}

export interface ApiAccessTokenInput {
  authority: string;
  tenant: Tenant;
  /** The calling application (`appid` / `azp`) and its service principal in the tenant (`oid` = `sub`). */
  callerClientId: string;
  callerObjectId: string;
  /** The API's app registration: its `accessTokenAcceptedVersion` decides the token's shape. */
  api: AppRegistration;
  /** The resource as requested (a v1 token's `aud`); a v2 token's `aud` is always the API's client id. */
  requestedResource: string;
  appidacr: AppIdAcr;
  lifetimeSeconds: number;
  roles: string[];
}

/**
 * App-only token for a registered API (the ISV app's own): v1 or v2 as the API's manifest says
 * (docs/protocol/entra.md "The portal's own API"). v2: iss https://login…/{tid}/v2.0, aud = the API's client id,
 * azp/azpacr, header without x5t.
 */
export async function mintApiAccessToken(signer: TokenSigner, input: ApiAccessTokenInput): Promise<string> {
  const iat = nowSeconds();
  const tid = input.tenant.id;
  const v2 = input.api.accessTokenAcceptedVersion === 2;
  const payload: Record<string, unknown> = {
    aud: v2 ? input.api.clientId : input.requestedResource,
    iss: v2 ? `${input.authority}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
    aio: opaqueClaims().aio,
  };
  if (v2) {
    payload.azp = input.callerClientId;
    payload.azpacr = input.appidacr;
  } else {
    payload.appid = input.callerClientId;
    payload.appidacr = input.appidacr;
    payload.idp = `https://sts.windows.net/${tid}/`;
    payload.idtyp = "app";
  }
  payload.oid = input.callerObjectId;
  payload.rh = opaqueClaims().rh;
  if (input.roles.length > 0) payload.roles = input.roles;
  payload.sub = input.callerObjectId;
  payload.tid = tid;
  payload.uti = opaqueClaims().uti;
  payload.ver = v2 ? "2.0" : "1.0";
  return signer.sign(payload, { v1Header: !v2 });
}

export interface DelegatedTokenInput {
  tenant: Tenant;
  user: TenantUser;
  app: AppRegistration;
  audience: string;
  scp: string;
  appidacr: AppIdAcr;
  lifetimeSeconds: number;
  authTime: number;
  includeWids: boolean;
}

function splitName(displayName: string): { given_name: string; family_name: string } {
  const parts = displayName.split(/\s+/);
  return { given_name: parts[0] ?? displayName, family_name: parts.slice(1).join(" ") || displayName };
}

/** Delegated (user) access token, v1 shape (Dataverse user_impersonation, Global Discovery, Graph). */
export async function mintDelegatedAccessToken(signer: TokenSigner, input: DelegatedTokenInput): Promise<string> {
  const iat = nowSeconds();
  const tid = input.tenant.id;
  const consumer = isConsumerTenant(input.tenant);
  const payload: Record<string, unknown> = {
    aud: input.audience,
    iss: `https://sts.windows.net/${tid}/`,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
    acr: "1",
    aio: opaqueClaims().aio,
    amr: ["pwd"],
    appid: input.app.clientId,
    appidacr: input.appidacr,
    ...splitName(input.user.displayName),
    idtyp: "user",
    ipaddr: "127.0.0.1",
    name: input.user.displayName,
    oid: input.user.oid,
    rh: opaqueClaims().rh,
    scp: input.scp,
    sub: pairwiseSubject(input.user.oid, input.app.clientId),
    tid,
    unique_name: input.user.upn,
    upn: input.user.upn,
    uti: opaqueClaims().uti,
    ver: "1.0",
  };
  if (consumer) {
    payload.idp = "live.com";
    delete payload.upn;
  }
  if (input.includeWids && input.user.wids.length > 0) payload.wids = input.user.wids;
  return signer.sign(payload, { v1Header: true, audience: "organizations" });
}

export interface IdTokenInput {
  authority: string;
  tenant: Tenant;
  user: TenantUser;
  clientId: string;
  nonce?: string;
  scopes: string[];
  lifetimeSeconds: number;
  authTime: number;
  includeWids: boolean;
  /** App roles of the app assigned to the user (docs/protocol/entra.md A2 `roles`). */
  roles: string[];
  /** OIDC hybrid flow: hash of the code issued alongside. */
  code?: string;
  includeAuthTime?: boolean;
  sid: string;
}

function leftHalfHash(value: string): string {
  const digest = createHash("sha256").update(value).digest();
  return digest.subarray(0, digest.length / 2).toString("base64url");
}

/** v2 ID token (docs/protocol/entra.md A2): iss per tenant, aud = client id, pairwise sub, tid/oid. */
export async function mintIdToken(signer: TokenSigner, input: IdTokenInput): Promise<string> {
  const iat = nowSeconds();
  const tid = input.tenant.id;
  const consumer = isConsumerTenant(input.tenant);
  const wantsProfile = input.scopes.includes("profile");
  const payload: Record<string, unknown> = {
    aud: input.clientId,
    iss: `${input.authority}/${tid}/v2.0`,
    iat,
    nbf: iat,
    exp: iat + input.lifetimeSeconds,
  };
  if (input.includeAuthTime) payload.auth_time = input.authTime;
  if (input.code) payload.c_hash = leftHalfHash(input.code);
  if (input.scopes.includes("email")) payload.email = input.user.email ?? input.user.upn;
  if (consumer) payload.idp = "live.com";
  if (wantsProfile) payload.name = input.user.displayName;
  if (input.nonce !== undefined) payload.nonce = input.nonce;
  // `oid` needs the profile scope in principle; Entra emits it with openid in practice.
  payload.oid = input.user.oid;
  if (wantsProfile) payload.preferred_username = input.user.upn;
  payload.aio = opaqueClaims().aio;
  payload.rh = opaqueClaims().rh;
  if (input.roles.length > 0) payload.roles = input.roles;
  payload.sid = input.sid;
  payload.sub = pairwiseSubject(input.user.oid, input.clientId);
  payload.tid = tid;
  payload.uti = opaqueClaims().uti;
  payload.ver = "2.0";
  if (input.includeWids && !consumer && input.user.wids.length > 0) payload.wids = input.user.wids;
  return signer.sign(payload, { audience: consumer ? "consumers" : "organizations" });
}

/** MSAL's `client_info` (returned when the request carries client_info=1): base64url {uid, utid}. */
export function clientInfo(oid: string, tid: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tid })).toString("base64url");
}

export function newSessionId(): string {
  return randomGuid();
}
