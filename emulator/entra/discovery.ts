/**
 * OIDC discovery, JWKS and instance discovery (docs/protocol/entra.md A1).
 *
 * - Tenant GUID or domain: every endpoint and the issuer carry the resolved GUID; tenant_region_scope "WW".
 * - common / organizations / consumers: endpoints carry the literal segment, the issuer the literal
 *   `{tenantid}` (braces included), tenant_region_scope null.
 * - Unknown tenant: 400 with error "invalid_tenant" and AADSTS90002.
 */
import { randomGuid } from "../guid";
import { entraError } from "../errors";
import { jsonResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse } from "../http";
import type { EmulatorContext } from "../context";
import { endpointSegment, isConsumerTenant, resolveTenant } from "./tenant-resolution";
import type { TenantTarget } from "./tenant-resolution";

/** Headers seen on the real metadata responses (docs/protocol/entra.md A1). */
function metadataHeaders(): Record<string, string> {
  return {
    "cache-control": "max-age=86400, private",
    "access-control-allow-origin": "*",
    "x-ms-request-id": randomGuid(),
    "x-ms-ests-server": "2.1.emulator",
  };
}

function issuerFor(authority: string, target: TenantTarget, version: "v1" | "v2"): string {
  if (target.kind === "tenant") {
    return version === "v2" ? `${authority}/${target.tenant.id}/v2.0` : `https://sts.windows.net/${target.tenant.id}/`;
  }
  if (target.kind === "consumers") {
    // The consumers alias is the MSA tenant: its issuer is concrete.
    return version === "v2"
      ? `${authority}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`
      : "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/";
  }
  return version === "v2" ? `${authority}/{tenantid}/v2.0` : "https://sts.windows.net/{tenantid}/";
}

export function openIdConfiguration(authority: string, target: TenantTarget): Record<string, unknown> {
  const t = endpointSegment(target);
  const regionScope = target.kind === "tenant" && !isConsumerTenant(target.tenant) ? "WW" : null;
  return {
    token_endpoint: `${authority}/${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${authority}/${t}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: issuerFor(authority, target, "v2"),
    request_uri_parameter_supported: false,
    // Real value: https://graph.microsoft.com/oidc/userinfo (unreachable offline); the emulator serves it.
    userinfo_endpoint: `${authority}/oidc/userinfo`,
    authorization_endpoint: `${authority}/${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/${t}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${authority}/${t}/kerberos`,
    tenant_region_scope: regionScope,
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** v1 metadata (`/{tenant}/.well-known/openid-configuration`): issuer https://sts.windows.net/{tenantid}/. */
function openIdConfigurationV1(authority: string, target: TenantTarget): Record<string, unknown> {
  const t = endpointSegment(target);
  return {
    token_endpoint: `${authority}/${t}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${authority}/common/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
    scopes_supported: ["openid"],
    issuer: issuerFor(authority, target, "v1"),
    authorization_endpoint: `${authority}/${t}/oauth2/authorize`,
    end_session_endpoint: `${authority}/${t}/oauth2/logout`,
    tenant_region_scope: target.kind === "tenant" ? "WW" : null,
    cloud_instance_name: "microsoftonline.com",
  };
}

function tenantError(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
  error: "tenantNotFound" | "tenantMalformed",
): EmulatorResponse {
  const instance = entraError(
    error,
    { tenant: segment },
    { authority: ctx.state.authority, errorOverride: "invalid_tenant" },
  );
  req.log.errorCode = String(instance.body.error_codes[0]);
  return jsonResponse(400, instance.body, metadataHeaders());
}

export function handleOpenIdConfiguration(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segment: string,
  version: "v1" | "v2",
): EmulatorResponse {
  req.log.kind = "entra.discovery";
  req.log.tenant = segment;
  const resolution = resolveTenant(ctx.state, segment);
  if (!resolution.ok) return tenantError(ctx, req, segment, resolution.error);
  if (resolution.target.kind === "tenant") req.log.tenantId = resolution.target.tenant.id;
  const body =
    version === "v2"
      ? openIdConfiguration(ctx.state.authority, resolution.target)
      : openIdConfigurationV1(ctx.state.authority, resolution.target);
  return jsonResponse(200, body, metadataHeaders());
}

export function handleKeys(ctx: EmulatorContext, req: EmulatorRequest, segment: string): EmulatorResponse {
  req.log.kind = "entra.keys";
  req.log.tenant = segment;
  const resolution = resolveTenant(ctx.state, segment);
  if (!resolution.ok) return tenantError(ctx, req, segment, resolution.error);
  return jsonResponse(200, ctx.signer.jwks(ctx.state.authority), metadataHeaders());
}

/**
 * `/common/discovery/instance` (what MSAL calls without knownAuthorities): declares the emulator's
 * host as its own cloud so that MSAL also works with `cloudDiscoveryMetadata` unset.
 */
export function handleInstanceDiscovery(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse {
  req.log.kind = "entra.discovery";
  const host = new URL(ctx.state.authority).host;
  const authorization =
    req.url.searchParams.get("authorization_endpoint") ?? `${ctx.state.authority}/common/oauth2/v2.0/authorize`;
  const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? "common";
  return jsonResponse(
    200,
    {
      tenant_discovery_endpoint: `${ctx.state.authority}/${tenant}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host, `localhost:${ctx.state.port}`] }],
    },
    metadataHeaders(),
  );
}
