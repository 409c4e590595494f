/**
 * The emulator's mutable state: the working copy of the scenario (Dataverse records change as
 * clients write) plus protocol runtime (sign-in transactions, authorization codes, refresh tokens,
 * browser sessions, consent replication timers) and the request log.
 */
import { randomBytes } from "node:crypto";
import { isGuid, sameGuid } from "./guid";
import { MarketplaceRuntime } from "./marketplace/runtime";
import { RequestLog } from "./request-log";
import { parseScenario } from "./scenario";
import type { Environment, Scenario, Tenant, TenantUser } from "./scenario";

/** A pending /authorize (or admin consent) request between the account picker and the redirect. */
export interface AuthorizeTransaction {
  id: string;
  flow: "authorize" | "adminconsent-v2" | "adminconsent-legacy";
  /** Tenant path segment as requested (GUID, domain, common, organizations, consumers). */
  tenantSegment: string;
  /** Protocol version of the endpoint (v1 for /oauth2/authorize). */
  protocol: "v1" | "v2";
  clientId: string;
  redirectUri: string;
  responseType: string;
  responseMode: "query" | "fragment" | "form_post";
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  prompt?: string;
  /** OIDC `max_age` in seconds (docs/protocol/entra.md "Re-authentication"). */
  maxAge?: number;
  loginHint?: string;
  /** v1 `resource` parameter. */
  resource?: string;
  /** Set once the user picked an account; `authTime`: when that user last authenticated (epoch seconds). */
  selected?: { tenantId: string; oid: string; authTime?: number };
  /** Set when the consent screen is due: whether it consents for the organization. */
  consentMode?: "forced" | "optional" | "none";
  createdAt: number;
}

export interface AuthorizationCodeGrant {
  code: string;
  clientId: string;
  redirectUri: string;
  tenantSegment: string;
  tenantId: string;
  oid: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  authTime: number;
  expiresAt: number;
  redeemed: boolean;
  protocol: "v1" | "v2";
  resource?: string;
}

export interface RefreshGrant {
  token: string;
  clientId: string;
  tenantId: string;
  oid: string;
  /** Scopes the user consented to (all resources; MSAL asks per resource). */
  scope: string;
  authTime: number;
  revoked: boolean;
}

export interface BrowserSession {
  id: string;
  /** Accounts signed in in this browser, each with when it last authenticated (epoch seconds): single sign-on keeps it. */
  accounts: { tenantId: string; oid: string; authTime: number }[];
}

export function opaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export class EmulatorState {
  scenario: Scenario;
  readonly requestLog = new RequestLog();
  /** Landing tokens, webhook deliveries and their timers (emulator/marketplace/runtime.ts). */
  readonly marketplace = new MarketplaceRuntime();
  readonly transactions = new Map<string, AuthorizeTransaction>();
  readonly authorizationCodes = new Map<string, AuthorizationCodeGrant>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  readonly sessions = new Map<string, BrowserSession>();
  /** tenantId → epoch ms when the service principal becomes visible to token requests. */
  readonly servicePrincipalVisibleAt = new Map<string, number>();
  /** `tid:oid` of users who consented for themselves. */
  readonly userConsents = new Set<string>();
  /**
   * Delegated permissions requested at run time (incremental consent, docs/protocol/entra.md "Incremental
   * consent"): `tid:oid:resource` for one user, `tid:*:resource` for the whole organisation.
   */
  readonly delegatedGrants = new Set<string>();
  /**
   * The App Service `IDENTITY_HEADER` of this host: the managed identity endpoint answers only requests that carry
   * it as `X-IDENTITY-HEADER` (docs/protocol/identity.md M2). Random per start, like the platform's.
   */
  readonly identityHeader = randomBytes(24).toString("hex");
  /** Called after the scenario was replaced (the server re-issues its certificate). */
  onScenarioReplaced: ((scenario: Scenario) => void) | undefined;

  constructor(
    private initialScenario: Scenario,
    readonly port: number,
  ) {
    this.scenario = structuredClone(initialScenario);
  }

  get authority(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  // ------------------------------------------------------------ lookups

  tenantById(id: string): Tenant | undefined {
    return this.scenario.tenants.find((t) => sameGuid(t.id, id));
  }

  /** A tenant path segment: a GUID or a verified domain (case-insensitive). */
  tenantBySegment(segment: string): Tenant | undefined {
    if (isGuid(segment)) return this.tenantById(segment);
    const domain = segment.toLowerCase();
    return this.scenario.tenants.find(
      (t) => t.primaryDomain.toLowerCase() === domain || t.domains.some((d) => d.toLowerCase() === domain),
    );
  }

  userOf(tenant: Tenant, oid: string): TenantUser | undefined {
    return tenant.users.find((u) => sameGuid(u.oid, oid));
  }

  environmentByName(name: string): Environment | undefined {
    return this.scenario.environments.find((e) => e.name === name.toLowerCase());
  }

  environmentByHost(org: string, region: string): Environment | undefined {
    return this.scenario.environments.find((e) => e.name === org && e.region === region);
  }

  environmentsOfTenant(tenantId: string): Environment[] {
    return this.scenario.environments.filter((e) => sameGuid(e.tenantId, tenantId));
  }

  // ------------------------------------------------------------ the app's service principal

  /** The SP exists and replication finished (docs/protocol/pitfalls.md C5: 700016 until then). */
  servicePrincipalVisible(tenant: Tenant, now = Date.now()): boolean {
    if (!tenant.appConsented) return false;
    return now >= (this.servicePrincipalVisibleAt.get(tenant.id.toLowerCase()) ?? 0);
  }

  /** Admin consent: creates the SP (visible after the tenant's replication delay). */
  grantAdminConsent(tenant: Tenant): void {
    if (!tenant.appConsented) {
      this.servicePrincipalVisibleAt.set(tenant.id.toLowerCase(), Date.now() + tenant.consentReplicationDelayMs);
    }
    tenant.appConsented = true;
    tenant.adminConsented = true;
  }

  /** User consent also creates the SP when it is missing (that is how Entra behaves). */
  grantUserConsent(tenant: Tenant, oid: string): void {
    if (!tenant.appConsented) {
      this.servicePrincipalVisibleAt.set(tenant.id.toLowerCase(), Date.now() + tenant.consentReplicationDelayMs);
      tenant.appConsented = true;
    }
    this.userConsents.add(`${tenant.id.toLowerCase()}:${oid.toLowerCase()}`);
  }

  hasConsented(tenant: Tenant, oid: string): boolean {
    if (!tenant.appConsented) return false;
    return tenant.adminConsented || this.userConsents.has(`${tenant.id.toLowerCase()}:${oid.toLowerCase()}`);
  }

  grantDelegated(tenant: Tenant, oid: string | "*", resource: string): void {
    this.delegatedGrants.add(`${tenant.id.toLowerCase()}:${oid.toLowerCase()}:${resource.toLowerCase()}`);
  }

  hasDelegatedGrant(tenant: Tenant, oid: string, resource: string): boolean {
    const t = tenant.id.toLowerCase();
    const r = resource.toLowerCase();
    return this.delegatedGrants.has(`${t}:*:${r}`) || this.delegatedGrants.has(`${t}:${oid.toLowerCase()}:${r}`);
  }

  /** Deletes the SP: consent gone, refresh tokens of that tenant stop working. */
  revokeConsent(tenant: Tenant): void {
    tenant.appConsented = false;
    tenant.adminConsented = false;
    this.servicePrincipalVisibleAt.delete(tenant.id.toLowerCase());
    const prefix = `${tenant.id.toLowerCase()}:`;
    for (const key of [...this.userConsents]) if (key.startsWith(prefix)) this.userConsents.delete(key);
    for (const key of [...this.delegatedGrants]) if (key.startsWith(prefix)) this.delegatedGrants.delete(key);
    for (const grant of this.refreshTokens.values()) if (sameGuid(grant.tenantId, tenant.id)) grant.revoked = true;
  }

  /**
   * Deletes the app role assignments admin consent made (Graph: "Deleting an app role assignment for a service
   * principal is equivalent to revoking the app-only permission grant"); the service principal and any user's own
   * consent stay, so tokens are still issued, without application permissions. Admin consent is one flag here, so
   * users of the tenant are asked for their own consent again at sign-in (the strict side: docs/protocol/entra.md).
   */
  revokeApplicationPermissions(tenant: Tenant): void {
    tenant.adminConsented = false;
  }

  // ------------------------------------------------------------ scenario lifecycle

  replaceScenario(next: Scenario, options: { asInitial?: boolean } = {}): void {
    const validated = parseScenario(next);
    if (options.asInitial) this.initialScenario = structuredClone(validated);
    this.scenario = structuredClone(validated);
    this.transactions.clear();
    this.authorizationCodes.clear();
    this.refreshTokens.clear();
    this.sessions.clear();
    this.servicePrincipalVisibleAt.clear();
    this.userConsents.clear();
    this.delegatedGrants.clear();
    this.marketplace.clear();
    this.onScenarioReplaced?.(this.scenario);
  }

  /** Back to the scenario the emulator started with (request log kept; clear it separately). */
  reset(): void {
    this.replaceScenario(this.initialScenario);
  }
}
