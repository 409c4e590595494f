import "server-only";

// App-only (client-credentials) tokens for a customer's Dataverse, one MSAL confidential client — and so one
// token cache — per customer tenant, never shared and never `common` (docs/protocol/entra.md A4, C3). Tokens stay on the
// server: they are used by lib/dataverse and never returned to a page.
import {
  ConfidentialClientApplication,
  LogLevel,
  type Configuration,
  type INetworkModule,
  type NetworkResponse,
} from "@azure/msal-node";
import { config, type ClientCredential } from "@/lib/config";
import { outboundFetch } from "@/lib/http/outbound";
import {
  capturedEntraError,
  clearCapturedEntraError,
  rememberEntraError,
  rememberEntraErrorDetail,
  withEntraErrorCapture,
  type EntraErrorDetail,
} from "@/lib/entra/token-errors";
import { clientCertificate } from "@/lib/entra/client-certificate";
import {
  credentialOrder,
  credentialsReady,
  rejectedVaultCertificate,
  rejectionCode,
  rememberRejection,
  type KnownCredential,
} from "@/lib/entra/credentials";
import { federatedAssertion } from "@/lib/entra/managed-identity";
import { GUID } from "@/lib/validators";

function msalCertificate(credential: Extract<ClientCredential, { kind: "certificate" | "key-vault-certificate" }>) {
  const certificate = clientCertificate(credential);
  // A SHA-256 thumbprint makes MSAL sign PS256 with x5t#S256, the form Entra documents today (docs/protocol/entra.md A4).
  return {
    thumbprintSha256: certificate.thumbprintSha256,
    privateKey: certificate.privateKeyPem,
    x5c: certificate.certificatePem,
  };
}

// MSAL's requests go through the portal's outbound client: same timeouts, no redirects, counted per check.
// The raw body of an error answer is kept for support staff (trace id, correlation id, AADSTS codes).
const networkModule: INetworkModule = {
  async sendGetRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string> },
  ): Promise<NetworkResponse<T>> {
    const response = await outboundFetch("entra", url, { headers: options?.headers });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: (await response.json()) as T,
    };
  },
  async sendPostRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<NetworkResponse<T>> {
    const response = await outboundFetch("entra", url, {
      method: "POST",
      headers: options?.headers,
      body: options?.body,
    });
    const body = (await response.json()) as T;
    if (response.status >= 400) rememberEntraError(response.status, body);
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  },
};

/**
 * Static authority metadata: with it MSAL sends exactly one request for a cold token (the token request),
 * instead of first fetching instance discovery and OpenID configuration for every new tenant.
 */
function authorityMetadata(authorityHost: string, tenantId: string): string {
  const base = `${authorityHost}/${tenantId}`;
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${base}/v2.0`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    response_modes_supported: ["query", "fragment", "form_post"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    id_token_signing_alg_values_supported: ["RS256"],
    subject_types_supported: ["pairwise"],
  });
}

function cloudDiscoveryMetadata(host: string): string {
  return JSON.stringify({
    tenant_discovery_endpoint: `https://${host}/{tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

/** MSAL clients per tenant and credential (key `<tenant id> <credential id>`): a tenant's cache is never shared. */
const clients = new Map<string, ConfidentialClientApplication>();

function confidentialClientFor(tenantId: string, credential: KnownCredential): ConfidentialClientApplication {
  const key = `${tenantId} ${credential.id}`;
  const existing = clients.get(key);
  if (existing) return existing;
  const client = new ConfidentialClientApplication(msalConfiguration(tenantId, credential.credential));
  clients.set(key, client);
  return client;
}

/** The app's credentials in the order to try them now (lib/entra/credentials.ts); throws when none is configured. */
export function credentialsToTry(): KnownCredential[] {
  const order = credentialOrder(config().entra.credentials);
  if (order.length === 0) throw new Error("Entra ID application is not configured");
  return order;
}

/**
 * MSAL's configuration for the app in one tenant (authority, credential, the outbound network client), with the
 * given credential or else the one to use first.
 */
export function msalConfiguration(
  tenantId: string,
  credential: ClientCredential = credentialsToTry()[0]!.credential,
): Configuration {
  // A tenant GUID only: never `common`, `organizations` or a domain an attacker could point elsewhere.
  if (!GUID.test(tenantId)) throw new Error(`not a tenant id: ${tenantId}`);
  const c = config();
  const { clientId, authorityHost } = c.entra;
  if (!clientId) throw new Error("Entra ID application is not configured");
  const host = new URL(authorityHost).host;
  const msalConfig: Configuration = {
    auth: {
      clientId,
      authority: `${authorityHost}/${tenantId}`,
      knownAuthorities: [host],
      authorityMetadata: authorityMetadata(authorityHost, tenantId),
      cloudDiscoveryMetadata: cloudDiscoveryMetadata(host),
      ...msalCredential(credential),
    },
    system: {
      networkClient: networkModule,
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
    },
  };
  return msalConfig;
}

/** The credential as MSAL takes it: a secret, a certificate, or the managed identity's token as the client assertion. */
function msalCredential(
  credential: ClientCredential,
): Pick<Configuration["auth"], "clientSecret" | "clientCertificate" | "clientAssertion"> {
  switch (credential.kind) {
    case "secret":
      return { clientSecret: credential.secret };
    case "managed-identity":
      // Called by MSAL for every token request it sends (never for one served from its cache).
      return { clientAssertion: () => federatedAssertion(credential.clientId) };
    default:
      return { clientCertificate: msalCertificate(credential) };
  }
}

/** The app's credentials in the order to try them now, once what they need was read (the Key Vault certificate). */
export async function readyCredentialsToTry(): Promise<KnownCredential[]> {
  const c = config();
  await credentialsReady(c.entra.credentials, c.keyVault.refreshMinutes);
  return credentialsToTry();
}

/** Forgets a tenant's client and its cached tokens (after consent is revoked or the tenant disconnects). */
export function forgetTenantClient(tenantId: string): void {
  for (const key of clients.keys()) if (key.startsWith(`${tenantId} `)) clients.delete(key);
  for (const key of inFlight.keys()) if (key.startsWith(`${tenantId} `)) inFlight.delete(key);
}

/** An app-only access token for one Dataverse environment of one tenant (cached by MSAL until near expiry). */
export function dataverseAppToken(
  tenantId: string,
  environmentUrl: string,
): Promise<{ accessToken: string; fromCache: boolean }> {
  return appToken(tenantId, `${environmentUrl}/.default`);
}

/**
 * The app's own token for a tenant, for its own resource (`<client id>/.default`, which needs no Application ID
 * URI). Its `roles` carry the application permissions an administrator's consent granted in that tenant; a
 * user's own consent creates the service principal but grants none (docs/protocol/entra.md "Proving admin
 * consent"). Without a service principal Entra answers AADSTS700016 / 7000229.
 */
export function consentProofToken(tenantId: string): Promise<{ accessToken: string; fromCache: boolean }> {
  const { clientId } = config().entra;
  if (!clientId) throw new Error("Entra ID application is not configured");
  // Never from the cache: a token cached before consent was revoked proves nothing now.
  return appToken(tenantId, `${clientId}/.default`, true);
}

/**
 * An app-only Microsoft Graph token in the ISV's own tenant, where its administrator granted the application
 * permission CrossTenantInformation.ReadBasic.All (organisation names: docs/protocol/entra.md). The scope names
 * Graph by the service root of the configured cloud, as national clouds require.
 */
export function graphAppToken(graphUrl: string): Promise<{ accessToken: string; fromCache: boolean }> {
  const { homeTenantId } = config().entra;
  if (!homeTenantId) throw new Error("ENTRA_HOME_TENANT_ID is not configured");
  return appToken(homeTenantId, `${graphUrl}/.default`);
}

/**
 * The publisher's token for the SaaS Fulfillment API: client credentials in the ISV's own tenant for the Marketplace
 * API's resource 20e940b3-4c77-4b0b-9a53-9e16a1b010a7 (docs/protocol/marketplace.md M-3; valid an hour, cached).
 */
export function marketplaceAppToken(): Promise<{ accessToken: string; fromCache: boolean }> {
  const { homeTenantId } = config().entra;
  if (!homeTenantId) throw new Error("ENTRA_HOME_TENANT_ID is not configured");
  return appToken(homeTenantId, "20e940b3-4c77-4b0b-9a53-9e16a1b010a7/.default");
}

type AppToken = { accessToken: string; fromCache: boolean };

/**
 * Token requests in flight, per tenant and scope. MSAL checks its cache and then sends its own request, so N
 * checks of one tenant that find the cache empty at the same moment would send N token requests (measured: 3–5
 * duplicates in 500 checks over 20 tenants). Hand-written because MSAL has no such option. The key starts with the
 * tenant id: checks of different tenants never share a request, a token or an error.
 */
const inFlight = new Map<string, Promise<AppToken>>();

function appToken(tenantId: string, scope: string, skipCache = false): Promise<AppToken> {
  const key = `${tenantId} ${scope} ${skipCache ? "fresh" : "cached"}`;
  const pending = inFlight.get(key);
  // A caller that joins sends no request of its own: for it (and its check's step) the token came from a cache.
  const shared = pending
    ? pending.then((token) => ({ ...token, fromCache: true }))
    : (() => {
        const request = requestAppToken(tenantId, scope, skipCache).finally(() => {
          if (inFlight.get(key) === request) inFlight.delete(key);
        });
        inFlight.set(key, request);
        return request;
      })();
  // Every caller, the one that sent the request included, sees Entra's error answer in its own capture.
  return shared.catch((error: unknown) => {
    const detail = typeof error === "object" && error !== null ? entraErrors.get(error) : undefined;
    if (detail) rememberEntraErrorDetail(detail);
    throw error;
  });
}

/** Entra's error answer behind a failed shared request, kept with the error so that each caller can report it. */
const entraErrors = new WeakMap<object, EntraErrorDetail>();

function requestAppToken(tenantId: string, scope: string, skipCache: boolean): Promise<AppToken> {
  return withEntraErrorCapture(async () => {
    const order = await readyCredentialsToTry();
    for (const [index, credential] of order.entries()) {
      try {
        const result = await confidentialClientFor(tenantId, credential).acquireTokenByClientCredential({
          scopes: [scope],
          skipCache,
        });
        if (!result?.accessToken) throw new Error("Entra ID returned no access token");
        return { accessToken: result.accessToken, fromCache: result.fromCache };
      } catch (error) {
        const detail = capturedEntraError();
        const next = order[index + 1];
        if (
          await credentialRejected(
            credential,
            detail,
            next ?? null,
            scope.startsWith(`${config().entra.clientId}/`) ? "consent-proof" : "app-token",
          )
        ) {
          if (next) {
            clearCapturedEntraError();
            continue;
          }
        }
        if (detail && typeof error === "object" && error !== null) entraErrors.set(error, detail);
        throw error;
      }
    }
    throw new Error("Entra ID application is not configured");
  });
}

/**
 * When Entra's answer says the credential itself was not accepted (AADSTS7000215 / 7000222 / 700027): remembers
 * it (this process avoids it for a while) and, when another credential is configured, records the fallback
 * (audited and e-mailed once, lib/entra/fallback-notice.ts). True when the request may be retried.
 */
export async function credentialRejected(
  credential: KnownCredential,
  detail: EntraErrorDetail | null,
  next: KnownCredential | null,
  request: "app-token" | "consent-proof" | "delegated" | "sign-in",
): Promise<boolean> {
  const code = rejectionCode(detail?.aadstsCode);
  if (code === null) return false;
  rememberRejection(credential.id, code);
  rejectedVaultCertificate(credential.credential);
  if (config().entra.credentials.length > 1) {
    const { noteCredentialFallback } = await import("@/lib/entra/fallback-notice");
    await noteCredentialFallback({ rejected: credential, code, next, request });
  }
  return true;
}
