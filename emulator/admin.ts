/**
 * In-process control of a running emulator (`handle.admin`). The loopback HTTP admin API
 * (admin-http.ts) exposes the same operations under /_emulator/actions/<name>.
 */
import { z } from "zod";
import type { EmulatorContext } from "./context";
import { generateClientSecretValue } from "./credentials";
import { createSelfSignedCertificate, describeCertificate } from "./tls";
import { randomGuid, sameGuid } from "./guid";
import { environmentOrigin } from "./hosts";
import type { RequestLogEntry } from "./request-log";
import { federatedIdentityCredentialSchema, THROTTLE_CODES, VAULT_ROLES } from "./scenario";
import type { Environment, Faults, KeyVault, Scenario, SystemUser, Tenant, ThrottleCode, VaultRole } from "./scenario";
import { newVaultVersion } from "./keyvault";
import { resolvedIssuer } from "./entra/federated";
import type { KeyAudience } from "./signing";
import { PRIVILEGE_DEPTHS } from "./dataverse/privileges";
import { createMarketplaceAdmin, MARKETPLACE_ADMIN_ACTIONS } from "./marketplace/admin";
import type { MarketplaceAdmin } from "./marketplace/admin";
import type { PrivilegeDepth } from "./dataverse/privileges";

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "AdminError";
  }
}

export interface EmulatorStateSnapshot {
  authority: string;
  port: number;
  scenario: Scenario;
  servicePrincipals: {
    tenantId: string;
    tenant: string;
    consented: boolean;
    adminConsented: boolean;
    visible: boolean;
    objectId: string;
  }[];
  environments: {
    name: string;
    tenantId: string;
    url: string;
    apiUrl: string;
    applicationUsers: { systemUserId: string; applicationId: string; isDisabled: boolean; roles: string[] }[];
  }[];
  runtime: { pendingSignIns: number; authorizationCodes: number; refreshTokens: number; sessions: number };
}

export interface AppUserSelector {
  /** Default: the scenario app's client id. */
  applicationId?: string;
  systemUserId?: string;
}

export interface EmulatorAdmin {
  state(): EmulatorStateSnapshot;
  replaceScenario(scenario: unknown): void;
  /** Back to the scenario the emulator started with. */
  reset(): void;
  /** Admin consent without the UI: creates the app's service principal in the tenant. */
  grantConsent(tenant: string, options?: { replicationDelayMs?: number }): void;
  /** Deletes the service principal (and consents, refresh tokens). */
  revokeConsent(tenant: string): void;
  /**
   * Removes the app's application permissions (its app role assignments, what admin consent granted) and keeps the
   * service principal: tokens are still issued, without the admin-only roles.
   */
  revokeApplicationPermissions(tenant: string): void;
  setReplicationDelay(tenant: string, delayMs: number): void;
  /** Expires one secret (by keyId) or all of them. */
  expireSecret(keyId?: string): void;
  /** Rotation: adds a secret and returns its value. */
  addSecret(options?: { expiresAt?: string; displayName?: string }): {
    keyId: string;
    value: string;
    expiresAt: string;
  };
  removeSecret(keyId: string): void;
  expireCertificate(keyId?: string): void;
  /**
   * Rotation: registers a certificate (its public PEM; a new self-signed one when none is given) with the
   * certificate's own validity unless `expiresAt` says otherwise, and returns it (with its private key if made here).
   */
  addCertificate(options?: { certPem?: string; expiresAt?: string; displayName?: string }): {
    keyId: string;
    thumbprintSha1: string;
    expiresAt: string;
    certPem: string;
    keyPem: string | null;
  };
  removeCertificate(keyId: string): void;
  setAppDisabled(disabled: boolean): void;
  addRedirectUri(uri: string): void;
  /** Overwrites the given fault fields (latency); see throttle() for 429s. */
  setFaults(faults: Partial<Pick<Faults, "latencyMs" | "environmentLatencyMs">>): void;
  /** The next `count` authenticated Dataverse requests (of one environment or all) get 429. */
  throttle(spec: { environment?: string; count: number; retryAfterSeconds?: number; code?: ThrottleCode }): void;
  clearFaults(): void;
  createApplicationUser(
    environment: string,
    options?: { applicationId?: string; disabled?: boolean; roles?: string[]; businessUnitId?: string },
  ): { systemUserId: string };
  setApplicationUserDisabled(environment: string, disabled: boolean, user?: AppUserSelector): void;
  deleteApplicationUser(environment: string, user?: AppUserSelector): void;
  /** Role by name or id; user default: the app's application user. */
  assignRole(environment: string, role: string, user?: AppUserSelector): void;
  removeRole(environment: string, role: string, user?: AppUserSelector): void;
  /** Edits a security role: sets a privilege to `depth`, or removes it (`depth` null). */
  setRolePrivilege(environment: string, role: string, privilege: string, depth: PrivilegeDepth | null): void;
  /** Creates a security role in the root business unit (what an administrator does by hand in the admin center). */
  createRole(
    environment: string,
    name: string,
    privileges: { name: string; depth: PrivilegeDepth }[],
  ): { roleId: string };
  /** Administration mode on or off. */
  setAdministrationMode(environment: string, enabled: boolean): void;
  /**
   * Adds a federated identity credential to the app registration (at most 20, like Microsoft Graph); `issuer` may
   * use `{authority}` for the emulator's own authority host.
   */
  addFederatedCredential(credential: {
    name: string;
    issuer: string;
    subject: string;
    audiences?: string[];
    description?: string;
  }): { id: string; issuer: string };
  /** Removes one of the app registration's federated identity credentials, by name. */
  removeFederatedCredential(name: string): void;
  /** A new version of a vault's secret (created when missing); returns its version. */
  setVaultSecret(
    vault: string,
    name: string,
    value: string,
    options?: { contentType?: string; enabled?: boolean },
  ): { version: string };
  /**
   * A new version of a vault's certificate: a new self-signed certificate and key (or the given PEMs), optionally
   * registered on the app registration too (what an operator does when rotating). Returns the version.
   */
  addVaultCertificateVersion(
    vault: string,
    name: string,
    options?: { certPem?: string; keyPem?: string; registerOnApp?: boolean },
  ): { version: string; thumbprintSha1: string; expiresAt: string; appCertificateKeyId: string | null };
  /** Gives a principal (object id) a role on a vault (RBAC). */
  assignVaultRole(vault: string, principalId: string, role: VaultRole): void;
  /** Removes every role assignment of a principal on a vault. */
  removeVaultRoles(vault: string, principalId: string): void;
  /**
   * Moves the time every browser session's accounts last authenticated `seconds` back: the next single sign-on
   * carries that older `auth_time`, and a `max_age` shorter than it asks for credentials again.
   */
  ageSignIns(seconds: number): void;
  /** Test helper: any claims signed with the emulator's keys (e.g. an expired or foreign-tenant token). */
  issueToken(claims: Record<string, unknown>, options?: { key?: KeyAudience; v1Header?: boolean }): Promise<string>;
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  /** The commercial marketplace: purchases, plan changes, suspensions, its technical configuration. */
  marketplace: MarketplaceAdmin;
}

function findTenant(ctx: EmulatorContext, query: string): Tenant {
  const tenant =
    ctx.state.tenantBySegment(query) ??
    ctx.state.scenario.tenants.find((t) => t.displayName.toLowerCase() === query.toLowerCase());
  if (!tenant) throw new AdminError(404, `Unknown tenant '${query}' (use its id, a domain or its display name).`);
  return tenant;
}

function findEnvironment(ctx: EmulatorContext, name: string): Environment {
  const env = ctx.state.environmentByName(name);
  if (!env) throw new AdminError(404, `Unknown environment '${name}'.`);
  return env;
}

function findAppUser(ctx: EmulatorContext, env: Environment, selector: AppUserSelector = {}): SystemUser {
  const appId = selector.applicationId ?? ctx.state.scenario.app.clientId;
  const user = selector.systemUserId
    ? env.systemUsers.find((u) => sameGuid(u.id, selector.systemUserId))
    : env.systemUsers.find((u) => sameGuid(u.applicationId, appId));
  if (!user) throw new AdminError(404, `No such user in environment '${env.name}'.`);
  return user;
}

function findVault(ctx: EmulatorContext, name: string): KeyVault {
  const vault = ctx.state.scenario.keyVaults.find((v) => v.name === name.toLowerCase());
  if (!vault) throw new AdminError(404, `Unknown key vault '${name}'.`);
  return vault;
}

function findRole(env: Environment, role: string) {
  const found = env.roles.find((r) => sameGuid(r.id, role) || r.name.toLowerCase() === role.toLowerCase());
  if (!found) throw new AdminError(404, `Unknown role '${role}' in environment '${env.name}'.`);
  return found;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createAdmin(ctx: EmulatorContext): EmulatorAdmin {
  const state = ctx.state;
  return {
    state() {
      const now = Date.now();
      return {
        authority: state.authority,
        port: state.port,
        scenario: structuredClone(state.scenario),
        servicePrincipals: state.scenario.tenants.map((t) => ({
          tenantId: t.id,
          tenant: t.displayName,
          consented: t.appConsented,
          adminConsented: t.adminConsented,
          visible: sameGuid(t.id, state.scenario.app.homeTenantId) || state.servicePrincipalVisible(t, now),
          objectId: t.servicePrincipalObjectId,
        })),
        environments: state.scenario.environments.map((e) => ({
          name: e.name,
          tenantId: e.tenantId,
          url: environmentOrigin(e, state.port),
          apiUrl: environmentOrigin(e, state.port, true),
          applicationUsers: e.systemUsers
            .filter((u) => u.applicationId)
            .map((u) => ({
              systemUserId: u.id,
              applicationId: u.applicationId ?? "",
              isDisabled: u.isDisabled,
              roles: u.roleIds.map((id) => e.roles.find((r) => sameGuid(r.id, id))?.name ?? id),
            })),
        })),
        runtime: {
          pendingSignIns: state.transactions.size,
          authorizationCodes: state.authorizationCodes.size,
          refreshTokens: state.refreshTokens.size,
          sessions: state.sessions.size,
        },
      };
    },
    replaceScenario(scenario) {
      try {
        state.replaceScenario(scenario as Scenario);
      } catch (error) {
        throw new AdminError(400, error instanceof Error ? error.message : String(error));
      }
    },
    reset() {
      state.reset();
    },
    grantConsent(tenant, options = {}) {
      const t = findTenant(ctx, tenant);
      if (options.replicationDelayMs !== undefined) t.consentReplicationDelayMs = options.replicationDelayMs;
      state.grantAdminConsent(t);
    },
    revokeConsent(tenant) {
      const t = findTenant(ctx, tenant);
      if (sameGuid(t.id, state.scenario.app.homeTenantId))
        throw new AdminError(400, "The home tenant's service principal cannot be removed.");
      state.revokeConsent(t);
    },
    revokeApplicationPermissions(tenant) {
      const t = findTenant(ctx, tenant);
      if (sameGuid(t.id, state.scenario.app.homeTenantId))
        throw new AdminError(400, "The home tenant's application permissions cannot be removed.");
      state.revokeApplicationPermissions(t);
    },
    setReplicationDelay(tenant, delayMs) {
      findTenant(ctx, tenant).consentReplicationDelayMs = delayMs;
    },
    expireSecret(keyId) {
      const past = new Date(Date.now() - 60_000).toISOString();
      const secrets = state.scenario.app.secrets.filter((s) => keyId === undefined || sameGuid(s.keyId, keyId));
      if (secrets.length === 0) throw new AdminError(404, `No secret ${keyId ?? ""}`.trim());
      for (const s of secrets) s.expiresAt = past;
    },
    addSecret(options = {}) {
      const secret = {
        keyId: randomGuid(),
        displayName: options.displayName ?? "rotated secret",
        value: generateClientSecretValue(),
        startsAt: new Date(Date.now() - 1000).toISOString(),
        expiresAt: options.expiresAt ?? new Date(Date.now() + 730 * DAY_MS).toISOString(),
      };
      state.scenario.app.secrets.push(secret);
      return { keyId: secret.keyId, value: secret.value, expiresAt: secret.expiresAt };
    },
    removeSecret(keyId) {
      const before = state.scenario.app.secrets.length;
      state.scenario.app.secrets = state.scenario.app.secrets.filter((s) => !sameGuid(s.keyId, keyId));
      if (state.scenario.app.secrets.length === before) throw new AdminError(404, `No secret ${keyId}`);
    },
    expireCertificate(keyId) {
      const past = new Date(Date.now() - 60_000).toISOString();
      const certs = state.scenario.app.certificates.filter((c) => keyId === undefined || sameGuid(c.keyId, keyId));
      if (certs.length === 0) throw new AdminError(404, `No certificate ${keyId ?? ""}`.trim());
      for (const c of certs) c.expiresAt = past;
    },
    addCertificate(options = {}) {
      let info: {
        certPem: string;
        keyPem: string | null;
        thumbprintSha1: string;
        thumbprintSha256: string;
        notBefore: string;
        notAfter: string;
      };
      try {
        info = options.certPem
          ? { ...describeCertificate(options.certPem, ""), keyPem: null }
          : createSelfSignedCertificate(state.scenario.app.displayName ?? "app", 365);
      } catch {
        throw new AdminError(400, "certPem is not a PEM certificate");
      }
      const certificate = {
        keyId: randomGuid(),
        displayName: options.displayName ?? "rotated certificate",
        certPem: info.certPem,
        thumbprintSha1: info.thumbprintSha1,
        thumbprintSha256: info.thumbprintSha256,
        startsAt: info.notBefore,
        expiresAt: options.expiresAt ?? info.notAfter,
        ...(info.keyPem ? { privateKeyPem: info.keyPem } : {}),
      };
      state.scenario.app.certificates.push(certificate);
      return {
        keyId: certificate.keyId,
        thumbprintSha1: certificate.thumbprintSha1,
        expiresAt: certificate.expiresAt,
        certPem: certificate.certPem,
        keyPem: info.keyPem,
      };
    },
    removeCertificate(keyId) {
      const before = state.scenario.app.certificates.length;
      state.scenario.app.certificates = state.scenario.app.certificates.filter((c) => !sameGuid(c.keyId, keyId));
      if (state.scenario.app.certificates.length === before) throw new AdminError(404, `No certificate ${keyId}`);
    },
    setAppDisabled(disabled) {
      state.scenario.app.disabled = disabled;
    },
    addRedirectUri(uri) {
      try {
        new URL(uri);
      } catch {
        throw new AdminError(400, `Not an absolute URI: ${uri}`);
      }
      if (!state.scenario.app.redirectUris.includes(uri)) state.scenario.app.redirectUris.push(uri);
    },
    setFaults(faults) {
      if (faults.latencyMs !== undefined) state.scenario.faults.latencyMs = faults.latencyMs;
      if (faults.environmentLatencyMs !== undefined)
        state.scenario.faults.environmentLatencyMs = { ...faults.environmentLatencyMs };
    },
    throttle(spec) {
      if (spec.environment !== undefined) findEnvironment(ctx, spec.environment);
      state.scenario.faults.throttle.push({
        ...(spec.environment !== undefined ? { environment: spec.environment } : {}),
        remaining: spec.count,
        retryAfterSeconds: spec.retryAfterSeconds ?? 5,
        code: spec.code ?? "0x80072322",
      });
    },
    clearFaults() {
      state.scenario.faults = { latencyMs: 0, environmentLatencyMs: {}, throttle: [] };
    },
    createApplicationUser(environment, options = {}) {
      const env = findEnvironment(ctx, environment);
      const app = state.scenario.app;
      const applicationId = options.applicationId ?? app.clientId;
      const tenant = state.tenantById(env.tenantId);
      if (!tenant) throw new AdminError(500, "Environment tenant missing.");
      if (env.systemUsers.some((u) => sameGuid(u.applicationId, applicationId)))
        throw new AdminError(409, "The application user already exists.");
      const isHome = sameGuid(app.homeTenantId, tenant.id);
      if (!sameGuid(applicationId, app.clientId) || (!isHome && !state.servicePrincipalVisible(tenant))) {
        throw new AdminError(
          409,
          `Application ${applicationId} has no service principal in tenant ${tenant.displayName} (grant admin consent first).`,
        );
      }
      const root = env.businessUnits.find((b) => b.parentId === null);
      const businessUnitId = options.businessUnitId ?? root?.id;
      if (!businessUnitId) throw new AdminError(500, "No business unit.");
      const user: SystemUser = {
        id: randomGuid(),
        fullname: app.displayName,
        businessUnitId,
        applicationId,
        azureAdObjectId: tenant.servicePrincipalObjectId,
        domainname: `${app.displayName.replace(/\s+/g, "")}${applicationId}@${tenant.id}.com`,
        internalemailaddress: "",
        isDisabled: options.disabled ?? false,
        accessMode: 4,
        roleIds: (options.roles ?? []).map((r) => findRole(env, r).id),
      };
      env.systemUsers.push(user);
      return { systemUserId: user.id };
    },
    setApplicationUserDisabled(environment, disabled, selector) {
      const env = findEnvironment(ctx, environment);
      findAppUser(ctx, env, selector).isDisabled = disabled;
    },
    deleteApplicationUser(environment, selector) {
      const env = findEnvironment(ctx, environment);
      const user = findAppUser(ctx, env, selector);
      env.systemUsers = env.systemUsers.filter((u) => u !== user);
    },
    assignRole(environment, role, selector) {
      const env = findEnvironment(ctx, environment);
      const user = findAppUser(ctx, env, selector);
      const found = findRole(env, role);
      if (!user.roleIds.some((id) => sameGuid(id, found.id))) user.roleIds.push(found.id);
    },
    removeRole(environment, role, selector) {
      const env = findEnvironment(ctx, environment);
      const user = findAppUser(ctx, env, selector);
      const found = findRole(env, role);
      user.roleIds = user.roleIds.filter((id) => !sameGuid(id, found.id));
    },
    setRolePrivilege(environment, role, privilege, depth) {
      const env = findEnvironment(ctx, environment);
      const found = findRole(env, role);
      const others = found.privileges.filter((p) => p.name.toLowerCase() !== privilege.toLowerCase());
      found.privileges = depth === null ? others : [...others, { name: privilege, depth }];
    },
    createRole(environment, name, privileges) {
      const env = findEnvironment(ctx, environment);
      if (env.roles.some((r) => r.name.toLowerCase() === name.trim().toLowerCase()))
        throw new AdminError(409, `A role named '${name}' already exists in '${env.name}'.`);
      const root = env.businessUnits.find((b) => b.parentId === null);
      if (!root) throw new AdminError(500, "No business unit.");
      const role = { id: randomGuid(), name: name.trim(), businessUnitId: root.id, allPrivileges: false, privileges };
      env.roles.push(role);
      return { roleId: role.id };
    },
    setAdministrationMode(environment, enabled) {
      findEnvironment(ctx, environment).administrationMode = enabled;
    },
    addFederatedCredential(credential) {
      const app = state.scenario.app;
      // Microsoft Graph refuses a 21st credential ([U] words: docs/protocol/identity.md F1).
      if (app.federatedIdentityCredentials.length >= 20)
        throw new AdminError(400, "Maximum of 20 federated identity credentials can be added to an application.");
      if (app.federatedIdentityCredentials.some((c) => c.name.toLowerCase() === credential.name.toLowerCase()))
        throw new AdminError(409, `A federated identity credential named '${credential.name}' already exists.`);
      const parsed = federatedIdentityCredentialSchema.safeParse({
        id: randomGuid(),
        audiences: ["api://AzureADTokenExchange"],
        ...credential,
      });
      if (!parsed.success)
        throw new AdminError(400, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      app.federatedIdentityCredentials.push(parsed.data);
      return { id: parsed.data.id, issuer: resolvedIssuer(parsed.data, state.authority) };
    },
    removeFederatedCredential(name) {
      const app = state.scenario.app;
      const before = app.federatedIdentityCredentials.length;
      app.federatedIdentityCredentials = app.federatedIdentityCredentials.filter(
        (c) => c.name.toLowerCase() !== name.toLowerCase(),
      );
      if (app.federatedIdentityCredentials.length === before)
        throw new AdminError(404, `No federated identity credential named '${name}'.`);
    },
    setVaultSecret(vault, name, value, options = {}) {
      const v = findVault(ctx, vault);
      if (!/^[0-9a-zA-Z-]{1,127}$/.test(name))
        throw new AdminError(400, "A secret name has 1-127 letters, digits and hyphens.");
      const now = Math.floor(Date.now() / 1000);
      const version = {
        version: newVaultVersion(),
        value,
        ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
        enabled: options.enabled ?? true,
        created: now,
        updated: now,
        tags: {},
      };
      const existing = v.secrets.find((s) => s.name.toLowerCase() === name.toLowerCase());
      if (existing) existing.versions.push(version);
      else v.secrets.push({ name, versions: [version] });
      return { version: version.version };
    },
    addVaultCertificateVersion(vault, name, options = {}) {
      const v = findVault(ctx, vault);
      let info: {
        certPem: string;
        keyPem: string;
        thumbprintSha1: string;
        thumbprintSha256: string;
        notBefore: string;
        notAfter: string;
      };
      try {
        info =
          options.certPem && options.keyPem
            ? describeCertificate(options.certPem, options.keyPem)
            : createSelfSignedCertificate(`${state.scenario.app.displayName} (${name})`, 365);
      } catch {
        throw new AdminError(400, "certPem is not a PEM certificate");
      }
      const now = Math.floor(Date.now() / 1000);
      const version = {
        version: newVaultVersion(),
        certPem: info.certPem,
        keyPem: info.keyPem,
        enabled: true,
        created: now,
        updated: now,
      };
      const existing = v.certificates.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (existing) existing.versions.push(version);
      else v.certificates.push({ name, versions: [version] });
      let appCertificateKeyId: string | null = null;
      if (options.registerOnApp) {
        appCertificateKeyId = randomGuid();
        state.scenario.app.certificates.push({
          keyId: appCertificateKeyId,
          displayName: `${name} ${version.version}`,
          certPem: info.certPem,
          thumbprintSha1: info.thumbprintSha1,
          thumbprintSha256: info.thumbprintSha256,
          startsAt: info.notBefore,
          expiresAt: info.notAfter,
        });
      }
      return {
        version: version.version,
        thumbprintSha1: info.thumbprintSha1,
        expiresAt: info.notAfter,
        appCertificateKeyId,
      };
    },
    assignVaultRole(vault, principalId, role) {
      const v = findVault(ctx, vault);
      if (!v.roleAssignments.some((a) => sameGuid(a.principalId, principalId) && a.role === role))
        v.roleAssignments.push({ principalId, role });
    },
    removeVaultRoles(vault, principalId) {
      const v = findVault(ctx, vault);
      v.roleAssignments = v.roleAssignments.filter((a) => !sameGuid(a.principalId, principalId));
    },
    ageSignIns(seconds) {
      for (const session of state.sessions.values())
        for (const account of session.accounts) account.authTime -= seconds;
    },
    issueToken(claims, options = {}) {
      return ctx.signer.sign(claims, { audience: options.key ?? "organizations", v1Header: options.v1Header ?? true });
    },
    requestLog() {
      return state.requestLog.list();
    },
    clearRequestLog() {
      state.requestLog.clear();
    },
    marketplace: createMarketplaceAdmin(ctx),
  };
}

// ------------------------------------------------------------------ HTTP action table

const tenantArg = z.object({ tenant: z.string() });
const selectorArgs = { applicationId: z.string().optional(), systemUserId: z.string().optional() };

/** Body schema and invocation of every POST /_emulator/actions/<name>. */
export const ADMIN_ACTIONS: Record<string, { schema: z.ZodType; run: (admin: EmulatorAdmin, args: never) => unknown }> =
  {
    grantConsent: {
      schema: tenantArg.extend({ replicationDelayMs: z.number().int().min(0).optional() }),
      run: (a, args: { tenant: string; replicationDelayMs?: number }) =>
        a.grantConsent(
          args.tenant,
          args.replicationDelayMs !== undefined ? { replicationDelayMs: args.replicationDelayMs } : {},
        ),
    },
    revokeConsent: { schema: tenantArg, run: (a, args: { tenant: string }) => a.revokeConsent(args.tenant) },
    revokeApplicationPermissions: {
      schema: tenantArg,
      run: (a, args: { tenant: string }) => a.revokeApplicationPermissions(args.tenant),
    },
    ageSignIns: {
      schema: z.object({ seconds: z.number().int().min(1) }),
      run: (a, args: { seconds: number }) => a.ageSignIns(args.seconds),
    },
    setReplicationDelay: {
      schema: tenantArg.extend({ delayMs: z.number().int().min(0) }),
      run: (a, args: { tenant: string; delayMs: number }) => a.setReplicationDelay(args.tenant, args.delayMs),
    },
    expireSecret: {
      schema: z.object({ keyId: z.string().optional() }),
      run: (a, args: { keyId?: string }) => a.expireSecret(args.keyId),
    },
    addSecret: {
      schema: z.object({ expiresAt: z.iso.datetime({ offset: true }).optional(), displayName: z.string().optional() }),
      run: (a, args: { expiresAt?: string; displayName?: string }) => a.addSecret(args),
    },
    removeSecret: {
      schema: z.object({ keyId: z.string() }),
      run: (a, args: { keyId: string }) => a.removeSecret(args.keyId),
    },
    expireCertificate: {
      schema: z.object({ keyId: z.string().optional() }),
      run: (a, args: { keyId?: string }) => a.expireCertificate(args.keyId),
    },
    addCertificate: {
      schema: z.object({
        certPem: z.string().optional(),
        expiresAt: z.iso.datetime({ offset: true }).optional(),
        displayName: z.string().optional(),
      }),
      run: (a, args: { certPem?: string; expiresAt?: string; displayName?: string }) => a.addCertificate(args),
    },
    removeCertificate: {
      schema: z.object({ keyId: z.string() }),
      run: (a, args: { keyId: string }) => a.removeCertificate(args.keyId),
    },
    setAppDisabled: {
      schema: z.object({ disabled: z.boolean() }),
      run: (a, args: { disabled: boolean }) => a.setAppDisabled(args.disabled),
    },
    addRedirectUri: {
      schema: z.object({ uri: z.string() }),
      run: (a, args: { uri: string }) => a.addRedirectUri(args.uri),
    },
    setFaults: {
      schema: z.object({
        latencyMs: z.number().int().min(0).optional(),
        environmentLatencyMs: z.record(z.string(), z.number().int().min(0)).optional(),
      }),
      run: (a, args: { latencyMs?: number; environmentLatencyMs?: Record<string, number> }) => a.setFaults(args),
    },
    throttle: {
      schema: z.object({
        environment: z.string().optional(),
        count: z.number().int().min(1),
        retryAfterSeconds: z.number().int().min(0).optional(),
        code: z.enum(THROTTLE_CODES).optional(),
      }),
      run: (a, args: { environment?: string; count: number; retryAfterSeconds?: number; code?: ThrottleCode }) =>
        a.throttle(args),
    },
    clearFaults: { schema: z.object({}), run: (a) => a.clearFaults() },
    createApplicationUser: {
      schema: z.object({
        environment: z.string(),
        applicationId: z.string().optional(),
        disabled: z.boolean().optional(),
        roles: z.array(z.string()).optional(),
        businessUnitId: z.string().optional(),
      }),
      run: (
        a,
        args: {
          environment: string;
          applicationId?: string;
          disabled?: boolean;
          roles?: string[];
          businessUnitId?: string;
        },
      ) => {
        const { environment, ...options } = args;
        return a.createApplicationUser(environment, options);
      },
    },
    setApplicationUserDisabled: {
      schema: z.object({ environment: z.string(), disabled: z.boolean(), ...selectorArgs }),
      run: (a, args: { environment: string; disabled: boolean } & AppUserSelector) =>
        a.setApplicationUserDisabled(args.environment, args.disabled, args),
    },
    deleteApplicationUser: {
      schema: z.object({ environment: z.string(), ...selectorArgs }),
      run: (a, args: { environment: string } & AppUserSelector) => a.deleteApplicationUser(args.environment, args),
    },
    assignRole: {
      schema: z.object({ environment: z.string(), role: z.string(), ...selectorArgs }),
      run: (a, args: { environment: string; role: string } & AppUserSelector) =>
        a.assignRole(args.environment, args.role, args),
    },
    removeRole: {
      schema: z.object({ environment: z.string(), role: z.string(), ...selectorArgs }),
      run: (a, args: { environment: string; role: string } & AppUserSelector) =>
        a.removeRole(args.environment, args.role, args),
    },
    setRolePrivilege: {
      schema: z.object({
        environment: z.string(),
        role: z.string(),
        privilege: z.string().regex(/^prv\w+$/),
        depth: z.enum(PRIVILEGE_DEPTHS).nullable(),
      }),
      run: (a, args: { environment: string; role: string; privilege: string; depth: PrivilegeDepth | null }) =>
        a.setRolePrivilege(args.environment, args.role, args.privilege, args.depth),
    },
    createRole: {
      schema: z.object({
        environment: z.string(),
        name: z.string().min(1),
        privileges: z.array(z.object({ name: z.string().regex(/^prv\w+$/), depth: z.enum(PRIVILEGE_DEPTHS) })),
      }),
      run: (a, args: { environment: string; name: string; privileges: { name: string; depth: PrivilegeDepth }[] }) =>
        a.createRole(args.environment, args.name, args.privileges),
    },
    setAdministrationMode: {
      schema: z.object({ environment: z.string(), enabled: z.boolean() }),
      run: (a, args: { environment: string; enabled: boolean }) =>
        a.setAdministrationMode(args.environment, args.enabled),
    },
    addFederatedCredential: {
      schema: z.object({
        name: z.string(),
        issuer: z.string(),
        subject: z.string(),
        audiences: z.array(z.string()).optional(),
        description: z.string().optional(),
      }),
      run: (a, args: { name: string; issuer: string; subject: string; audiences?: string[]; description?: string }) =>
        a.addFederatedCredential(args),
    },
    removeFederatedCredential: {
      schema: z.object({ name: z.string() }),
      run: (a, args: { name: string }) => a.removeFederatedCredential(args.name),
    },
    setVaultSecret: {
      schema: z.object({
        vault: z.string(),
        name: z.string(),
        value: z.string(),
        contentType: z.string().optional(),
        enabled: z.boolean().optional(),
      }),
      run: (a, args: { vault: string; name: string; value: string; contentType?: string; enabled?: boolean }) => {
        const { vault, name, value, ...options } = args;
        return a.setVaultSecret(vault, name, value, options);
      },
    },
    addVaultCertificateVersion: {
      schema: z.object({
        vault: z.string(),
        name: z.string(),
        certPem: z.string().optional(),
        keyPem: z.string().optional(),
        registerOnApp: z.boolean().optional(),
      }),
      run: (a, args: { vault: string; name: string; certPem?: string; keyPem?: string; registerOnApp?: boolean }) => {
        const { vault, name, ...options } = args;
        return a.addVaultCertificateVersion(vault, name, options);
      },
    },
    assignVaultRole: {
      schema: z.object({ vault: z.string(), principalId: z.string(), role: z.enum(VAULT_ROLES) }),
      run: (a, args: { vault: string; principalId: string; role: VaultRole }) =>
        a.assignVaultRole(args.vault, args.principalId, args.role),
    },
    removeVaultRoles: {
      schema: z.object({ vault: z.string(), principalId: z.string() }),
      run: (a, args: { vault: string; principalId: string }) => a.removeVaultRoles(args.vault, args.principalId),
    },
    issueToken: {
      schema: z.object({
        claims: z.record(z.string(), z.unknown()),
        key: z.enum(["organizations", "consumers"]).optional(),
        v1Header: z.boolean().optional(),
      }),
      run: async (a, args: { claims: Record<string, unknown>; key?: KeyAudience; v1Header?: boolean }) => ({
        token: await a.issueToken(args.claims, {
          ...(args.key ? { key: args.key } : {}),
          ...(args.v1Header !== undefined ? { v1Header: args.v1Header } : {}),
        }),
      }),
    },
    ...MARKETPLACE_ADMIN_ACTIONS,
  };
