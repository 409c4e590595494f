/**
 * The managed identity endpoint of an App Service / Container Apps host (docs/protocol/identity.md M1–M6):
 * `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=<resource>[&client_id|principal_id|object_id|mi_res_id=…]`
 * with `X-IDENTITY-HEADER: {IDENTITY_HEADER}`. Served at https://127.0.0.1:PORT/msi/token; @azure/identity finds it
 * through those two environment variables. Tokens are signed with the emulator's Entra keys:
 *
 * - for `api://AzureADTokenExchange` (a federated credential's assertion): a v2.0 token, iss = the identity's tenant
 *   issuer, sub = oid = its principal id, aud = the "AAD Token Exchange Endpoint" application id;
 * - for any other resource Entra knows (the vault resource, Dataverse, Graph): a v1.0 app-only token for it.
 */
import { randomGuid, sameGuid } from "./guid";
import type { EmulatorContext } from "./context";
import { header, jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { VAULT_RESOURCE } from "./hosts";
import { opaqueToken } from "./state";
import type { ManagedIdentity } from "./scenario";
import { classifyResource, normalizeResource } from "./entra/scopes";

export const MANAGED_IDENTITY_PATH = "/msi/token";
export const MANAGED_IDENTITY_API_VERSION = "2019-08-01";
/** The audiences a federated credential trusting a managed identity may name, one per cloud (docs/protocol/identity.md F1). */
export const TOKEN_EXCHANGE_AUDIENCES = [
  "api://AzureADTokenExchange",
  "api://AzureADTokenExchangeUSGov",
  "api://AzureADTokenExchangeChina",
] as const;
/** Application id of "AAD Token Exchange Endpoint": the `aud` of a token for api://AzureADTokenExchange ([U], docs/protocol/identity.md F2). */
export const TOKEN_EXCHANGE_APP_ID = "fb60f99c-7a34-4190-8149-302f77469936";

/** The identity's ARM resource id (`mi_res_id`, `xms_mirid`). */
export function managedIdentityResourceId(mi: ManagedIdentity): string {
  return (
    mi.resourceId ??
    `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/portal/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${mi.displayName.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`
  );
}

/** App Service's own error shape (Kestrel): `{"statusCode":…,"message":…,"correlationId":…}` (docs/protocol/identity.md M4). */
function hostError(status: number, message: string): EmulatorResponse {
  return jsonResponse(status, { statusCode: status, message, correlationId: randomGuid() });
}

function isTokenExchange(resource: string): boolean {
  return TOKEN_EXCHANGE_AUDIENCES.some((a) => normalizeResource(a) === normalizeResource(resource));
}

export async function handleManagedIdentity(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "identity";
  if (req.method !== "GET") return hostError(405, `The HTTP method '${req.method}' is not supported; use GET.`);
  // The shared secret first: without it nothing about the host's identities is told ([U] status and words).
  const presented = header(req, "x-identity-header");
  if (presented !== ctx.state.identityHeader)
    return hostError(
      401,
      "The X-IDENTITY-HEADER header is missing or does not match the IDENTITY_HEADER of this host.",
    );
  const query = req.url.searchParams;
  const apiVersion = query.get("api-version");
  if (apiVersion !== MANAGED_IDENTITY_API_VERSION)
    return hostError(
      400,
      `The api-version '${apiVersion ?? ""}' is not supported: use ${MANAGED_IDENTITY_API_VERSION}.`,
    );
  const resource = query.get("resource");
  if (!resource) return hostError(400, "The 'resource' query parameter is required.");
  const selectors = (["client_id", "principal_id", "object_id", "mi_res_id"] as const).filter(
    (name) => query.get(name) !== null,
  );
  if (selectors.length > 1)
    return hostError(
      400,
      `Only one of client_id, principal_id (object_id) or mi_res_id may be given; got ${selectors.join(", ")}.`,
    );

  const identities = ctx.state.scenario.managedIdentities;
  const selector = selectors[0];
  const value = selector ? (query.get(selector) ?? "") : "";
  const mi =
    selector === undefined
      ? identities.find((m) => m.kind === "system")
      : selector === "client_id"
        ? identities.find((m) => sameGuid(m.clientId, value))
        : selector === "mi_res_id"
          ? identities.find((m) => managedIdentityResourceId(m).toLowerCase() === value.toLowerCase())
          : identities.find((m) => sameGuid(m.principalId, value));
  // Observed answer for an identity the host does not have (docs/protocol/identity.md M4).
  if (!mi) return hostError(400, "Unable to load the proper Managed Identity.");
  req.log.clientId = mi.clientId;
  req.log.tenantId = mi.tenantId;
  req.log.scope = resource;

  const tenant = ctx.state.tenantById(mi.tenantId);
  if (!tenant) return hostError(500, "The identity's tenant is missing.");
  const exchange = isTokenExchange(resource);
  const known =
    exchange ||
    normalizeResource(resource) === VAULT_RESOURCE ||
    classifyResource(resource, ctx.state.scenario.app.clientId).kind !== "unknown";
  if (!known) {
    // The host relays Entra's answer for a resource it does not know ([U] relayed shape).
    return jsonResponse(400, {
      error: "invalid_resource",
      error_description: `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenant.id}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      error_codes: [500011],
    });
  }

  const lifetime = ctx.state.scenario.settings.managedIdentityTokenLifetimeSeconds;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + lifetime;
  const common = {
    iat,
    nbf: iat,
    exp,
    aio: opaqueToken(48),
    idtyp: "app",
    oid: mi.principalId,
    rh: `1.${opaqueToken(40)}.`,
    sub: mi.principalId,
    tid: mi.tenantId,
    uti: opaqueToken(16),
    xms_mirid: managedIdentityResourceId(mi),
  };
  const accessToken = exchange
    ? await ctx.signer.sign({
        aud: TOKEN_EXCHANGE_APP_ID,
        iss: `${ctx.state.authority}/${mi.tenantId}/v2.0`,
        azp: mi.clientId,
        azpacr: "2",
        ...common,
        ver: "2.0",
      })
    : await ctx.signer.sign(
        {
          aud: resource.replace(/\/+$/, ""),
          iss: `https://sts.windows.net/${mi.tenantId}/`,
          appid: mi.clientId,
          appidacr: "2",
          idp: `https://sts.windows.net/${mi.tenantId}/`,
          ...common,
          ver: "1.0",
        },
        { v1Header: true },
      );
  // expires_on as a string of epoch seconds, as App Service sends it (docs/protocol/identity.md M3).
  return jsonResponse(200, {
    access_token: accessToken,
    expires_on: String(exp),
    resource,
    token_type: "Bearer",
    client_id: mi.clientId,
  });
}
