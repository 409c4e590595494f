/**
 * The declarative description of everything the emulator serves: the ISV's app registration, the
 * tenants (with users and the app's service principal), the Dataverse environments (business units,
 * roles, system users, accounts), injected faults and protocol settings.
 *
 * Scenarios are plain JSON-compatible data. `parseScenario` validates and fills defaults (zod); the
 * builders in `scenario-builders.ts` and the demo in `demo-scenario.ts` produce them in one line.
 */
import { z } from "zod";
import { DEFAULT_CONSENT_ADMIN_ROLES } from "./directory-roles";
import { PRIVILEGE_DEPTHS } from "./dataverse/privileges";
import { marketplaceSchema } from "./marketplace/schema";

const guid = z.guid();
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "expected an ISO date");

export const THROTTLE_CODES = ["0x80072322", "0x80072321", "0x80072326"] as const;
export type ThrottleCode = (typeof THROTTLE_CODES)[number];

// ---------------------------------------------------------------- app registration

export const appRoleSchema = z.object({
  id: guid,
  value: z.string().min(1),
  displayName: z.string(),
  description: z.string().default(""),
  /**
   * "Users/Groups" roles are assigned to people and appear in their ID tokens; "Applications" roles are
   * application permissions: only an administrator's consent grants them to a tenant's service principal, and
   * client-credentials tokens for the app's own resource carry them in `roles` (docs/protocol/entra.md
   * "Proving admin consent").
   */
  allowedMemberTypes: z.array(z.enum(["User", "Application"])).default(["User"]),
});

export const clientSecretSchema = z.object({
  /** The secret's id ("Secret ID" in the portal) — not the value. Pasting it instead of the value gives AADSTS7000215. */
  keyId: guid,
  displayName: z.string().default(""),
  value: z.string().min(1),
  startsAt: isoDate.optional(),
  expiresAt: isoDate,
});

export const clientCertificateSchema = z.object({
  keyId: guid,
  displayName: z.string().default(""),
  certPem: z.string().min(1),
  /** Hex SHA-1 / SHA-256 of the DER (the assertion's `x5t` / `x5t#S256` are their base64url forms). */
  thumbprintSha1: z.string().regex(/^[0-9a-fA-F]{40}$/),
  thumbprintSha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  startsAt: isoDate.optional(),
  expiresAt: isoDate,
  /** Client-side material kept for tests and the demo; the emulator never uses it. */
  privateKeyPem: z.string().optional(),
});

/**
 * A federated identity credential on the app registration (docs/protocol/identity.md F1): Entra accepts, as the
 * app's client assertion, a token whose `iss`, `sub` and `aud` match one of them exactly. `issuer` may contain
 * `{authority}`, the emulator's own authority host (its port is known only once it listens).
 */
export const federatedIdentityCredentialSchema = z.object({
  id: guid,
  /** 3–120 characters, alphanumerics, '-' and '_', the first alphanumeric; immutable. */
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/,
      "3-120 characters: letters, digits, '-' or '_', starting with a letter or digit",
    ),
  issuer: z.string().min(1),
  subject: z.string().min(1),
  /** Exactly one value (api://AzureADTokenExchange for Entra-issued managed identity tokens). */
  audiences: z.array(z.string().min(1)).length(1),
  description: z.string().max(600).default(""),
});

/** A managed identity assigned to the emulated host (App Service): served by its managed identity endpoint. */
export const managedIdentitySchema = z.object({
  /** "user" = user-assigned (the only kind Entra accepts as a federated credential); one "system" at most. */
  kind: z.enum(["user", "system"]).default("user"),
  displayName: z.string().min(1),
  clientId: guid,
  /** Object (principal) id: the `oid`/`sub` of its tokens and the `subject` of a federated credential. */
  principalId: guid,
  tenantId: guid,
  /** ARM resource id (`mi_res_id`); default derived from the display name. */
  resourceId: z.string().optional(),
});

/** One version of a Key Vault secret (docs/protocol/identity.md V3). */
export const vaultSecretVersionSchema = z.object({
  /** 32 lowercase hex characters. */
  version: z.string().regex(/^[0-9a-f]{32}$/),
  value: z.string(),
  contentType: z.string().max(255).optional(),
  enabled: z.boolean().default(true),
  /** Seconds since the epoch, as Key Vault's IntDate. */
  created: z.number().int(),
  updated: z.number().int(),
  nbf: z.number().int().optional(),
  exp: z.number().int().optional(),
  tags: z.record(z.string(), z.string()).default({}),
});

/** One version of a Key Vault certificate: the certificate and its exportable PEM private key (the managed secret). */
export const vaultCertificateVersionSchema = z.object({
  version: z.string().regex(/^[0-9a-f]{32}$/),
  certPem: z.string().min(1),
  keyPem: z.string().min(1),
  enabled: z.boolean().default(true),
  created: z.number().int(),
  updated: z.number().int(),
});

export const VAULT_ROLES = [
  "Key Vault Administrator",
  "Key Vault Secrets Officer",
  "Key Vault Secrets User",
  "Key Vault Certificates Officer",
  "Key Vault Certificate User",
  "Key Vault Reader",
] as const;

export const keyVaultSchema = z.object({
  /** 3–24 characters: https://<name>.vault.localhost:PORT */
  name: z.string().regex(/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/, "3-24 lowercase letters, digits and hyphens"),
  tenantId: guid,
  location: z.string().default("westeurope"),
  /** "rbac" (Azure role-based access control, Microsoft's recommendation) or "access-policy". */
  permissionModel: z.enum(["rbac", "access-policy"]).default("rbac"),
  roleAssignments: z.array(z.object({ principalId: guid, role: z.enum(VAULT_ROLES) })).default([]),
  accessPolicies: z
    .array(
      z.object({
        objectId: guid,
        secrets: z.array(z.enum(["get", "list", "set"])).default([]),
        certificates: z.array(z.enum(["get", "list"])).default([]),
      }),
    )
    .default([]),
  /** Versions in creation order (the last enabled-or-not one is the latest). */
  secrets: z
    .array(
      z.object({ name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/), versions: z.array(vaultSecretVersionSchema).min(1) }),
    )
    .default([]),
  certificates: z
    .array(
      z.object({
        name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/),
        versions: z.array(vaultCertificateVersionSchema).min(1),
      }),
    )
    .default([]),
});

/** Permission shown on the consent screen (the registration's "API permissions"). */
export const requiredPermissionSchema = z.object({
  resource: z.string(),
  permission: z.string(),
  description: z.string(),
  adminOnly: z.boolean().default(false),
});

export const appRegistrationSchema = z.object({
  clientId: guid,
  displayName: z.string().min(1),
  homeTenantId: guid,
  /** "Accounts in any organizational directory". Single-tenant apps get 700016 in other tenants and 50194 on /common. */
  multiTenant: z.boolean().default(true),
  /** Disabled app: every token request fails with AADSTS7000112. */
  disabled: z.boolean().default(false),
  redirectUris: z.array(z.string()).default([]),
  /** "ID tokens (used for implicit and hybrid flows)"; without it response_type=id_token gives AADSTS700054. */
  idTokenImplicitGrant: z.boolean().default(false),
  /**
   * Token configuration → optional claims of the ID token. `auth_time` is one (docs/protocol/entra.md
   * "Re-authentication"): without it the ID token does not carry it.
   */
  idTokenOptionalClaims: z.array(z.enum(["auth_time"])).default([]),
  appRoles: z.array(appRoleSchema).default([]),
  secrets: z.array(clientSecretSchema).default([]),
  certificates: z.array(clientCertificateSchema).default([]),
  /** At most 20 per application (docs/protocol/identity.md F1). */
  federatedIdentityCredentials: z.array(federatedIdentityCredentialSchema).max(20).default([]),
  requiredPermissions: z.array(requiredPermissionSchema).default([]),
  /**
   * Microsoft Graph application permissions on the registration (e.g. CrossTenantInformation.ReadBasic.All): an
   * app-only Graph token carries them in `roles` where an administrator consented (always in the home tenant).
   */
  graphApplicationPermissions: z.array(z.string()).default([]),
  publisherDomain: z.string().optional(),
  /**
   * "Application ID URI" values ("Expose an API"), e.g. api://<client id>. A scope on `api://…` names the app only
   * through one of them; the bare client id always does (docs/protocol/entra.md "The portal's own API").
   */
  identifierUris: z.array(z.string()).default([]),
  /**
   * The manifest's `accessTokenAcceptedVersion` (`api.requestedAccessTokenVersion`): the version of the access tokens
   * issued *for this app's API*, whatever endpoint the client used. null = v1.0 (Entra's default).
   */
  accessTokenAcceptedVersion: z
    .union([z.literal(1), z.literal(2)])
    .nullable()
    .default(null),
});

/**
 * Another app registration, a daemon of the ISV's back end (or of anyone) that calls the app's API with
 * client credentials in its home tenant only (single-tenant). `grantedAppRoles` are the app's Application roles
 * an administrator of that tenant granted it ("API permissions → Grant admin consent").
 */
export const clientAppSchema = z.object({
  clientId: guid,
  displayName: z.string().min(1),
  homeTenantId: guid,
  secrets: z.array(clientSecretSchema).default([]),
  certificates: z.array(clientCertificateSchema).default([]),
  grantedAppRoles: z.array(z.string()).default([]),
  servicePrincipalObjectId: guid,
});

// ---------------------------------------------------------------- tenants

export const userSchema = z.object({
  /** Object id in this tenant (the `oid` claim). */
  oid: guid,
  upn: z.string().min(3),
  displayName: z.string().min(1),
  email: z.string().optional(),
  /** Directory role template ids (`wids`). */
  wids: z.array(guid).default([]),
  /** Values of the app's roles assigned to this user (emitted as `roles`). */
  appRoles: z.array(z.string()).default([]),
});

export const tenantSchema = z.object({
  id: guid,
  /** The scenario's short name of the tenant (admin actions and tests find tenants by it). */
  displayName: z.string().min(1),
  /**
   * The directory's display name as Microsoft shows it (Graph tenantInformation.displayName, the sign-in pages),
   * e.g. "Contoso Ltd". Default: displayName.
   */
  organizationName: z.string().min(1).optional(),
  /** Verified initial domain, e.g. contoso.onmicrosoft.com. */
  primaryDomain: z.string().min(3),
  domains: z.array(z.string()).default([]),
  /** `consumers` = the personal Microsoft account tenant (9188040d-…). */
  kind: z.enum(["organization", "consumers"]).default("organization"),
  /** The Dynamics CRM first-party service principal exists; otherwise Dataverse tokens fail with 500011. */
  hasDataverse: z.boolean().default(false),
  users: z.array(userSchema).default([]),
  /** Whether the app's service principal exists here (admin or user consent happened). */
  appConsented: z.boolean().default(false),
  /** True when an admin consented for the whole tenant (no per-user consent prompt for the app's permissions). */
  adminConsented: z.boolean().default(false),
  servicePrincipalObjectId: guid,
  /** After consent, how long client-credentials requests still get 700016 (directory replication, docs/protocol/pitfalls.md C5). */
  consentReplicationDelayMs: z.number().int().min(0).default(0),
  /** Tenant setting "Users can consent to apps". When false, non-admins meet "Need admin approval" (AADSTS90094). */
  userConsentAllowed: z.boolean().default(true),
  /**
   * Static permissions of the registration ("API permissions", by value: `CrossTenantInformation.ReadBasic.All`,
   * `Tenant.Connect`, `User.Read`) that this tenant's administrator has NOT granted although the tenant consented:
   * tokens and Graph's grants then lack them (docs/protocol/graph.md "Grants"). Default: everything was granted.
   */
  notGrantedPermissions: z.array(z.string()).default([]),
  /**
   * Microsoft Graph application permissions assigned to the app's service principal directly in this tenant (an
   * appRoleAssignment an administrator created, not through consent), e.g. Application.Read.All for `npm run doctor`.
   */
  graphAppRoleAssignments: z.array(z.string()).default([]),
  /** Security groups (object id and members' object ids); an environment may be restricted to one. */
  groups: z
    .array(z.object({ id: guid, displayName: z.string().min(1), memberOids: z.array(guid).default([]) }))
    .default([]),
});

// ---------------------------------------------------------------- Dataverse environments

export const businessUnitSchema = z.object({
  id: guid,
  name: z.string().min(1),
  parentId: guid.nullable().default(null),
});

export const rolePrivilegeSchema = z.object({
  name: z.string().regex(/^prv[A-Za-z]+$/),
  depth: z.enum(PRIVILEGE_DEPTHS).default("Global"),
});

export const securityRoleSchema = z.object({
  id: guid,
  name: z.string().min(1),
  businessUnitId: guid,
  /** System Administrator: every privilege at Global depth. */
  allPrivileges: z.boolean().default(false),
  privileges: z.array(rolePrivilegeSchema).default([]),
});

export const systemUserSchema = z.object({
  id: guid,
  fullname: z.string().min(1),
  businessUnitId: guid,
  /** Set for application users: the Entra client id (docs/protocol/dataverse.md B4). */
  applicationId: guid.nullable().default(null),
  /** Entra object id: the user's oid, or for an application user the service principal's object id. */
  azureAdObjectId: guid.nullable().default(null),
  domainname: z.string().default(""),
  internalemailaddress: z.string().default(""),
  isDisabled: z.boolean().default(false),
  /** 0 Read-Write, 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive, 5 Delegated Admin. */
  accessMode: z.number().int().min(0).max(5).default(0),
  roleIds: z.array(guid).default([]),
});

export const accountSchema = z.object({
  id: guid,
  name: z.string(),
  accountnumber: z.string().nullable().default(null),
  telephone1: z.string().nullable().default(null),
  address1_city: z.string().nullable().default(null),
  revenue: z.number().nullable().default(null),
  ownerId: guid.nullable().default(null),
  createdon: isoDate.optional(),
});

export const contactSchema = z.object({
  id: guid,
  firstname: z.string().nullable().default(null),
  lastname: z.string(),
  emailaddress1: z.string().nullable().default(null),
  parentAccountId: guid.nullable().default(null),
  ownerId: guid.nullable().default(null),
});

export const environmentSchema = z.object({
  /** Org URL name: https://<name>.<region>.dynamics.localhost:PORT */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and hyphens"),
  /** Region host label: crm (NAM), crm4 (EUR), crm11 (GBR), … (docs/protocol/dataverse.md B1). */
  region: z
    .string()
    .regex(/^crm\d*$/)
    .default("crm"),
  tenantId: guid,
  organizationId: guid,
  environmentId: guid,
  friendlyName: z.string().min(1),
  uniqueName: z.string().min(1),
  purpose: z.enum(["Production", "Sandbox", "Developer", "Trial", "Default"]).default("Production"),
  version: z.string().default("9.2.25053.00180"),
  businessUnits: z.array(businessUnitSchema).min(1),
  roles: z.array(securityRoleSchema).default([]),
  systemUsers: z.array(systemUserSchema).default([]),
  accounts: z.array(accountSchema).default([]),
  contacts: z.array(contactSchema).default([]),
  /**
   * Administration mode: only users holding System Administrator or System Customizer may use the environment
   * (docs/protocol/dataverse.md "Administration mode"); application users are held to the same rule (strict, [U]).
   */
  administrationMode: z.boolean().default(false),
  /**
   * The environment's security group (object id of a group of its tenant): people outside it cannot use the
   * environment; application users are not subject to it (docs/protocol/dataverse.md "Security group").
   */
  securityGroupId: guid.nullable().default(null),
});

// ---------------------------------------------------------------- faults and settings

export const throttleFaultSchema = z.object({
  /** Environment name; absent = every environment. */
  environment: z.string().optional(),
  /** How many upcoming (authenticated) Dataverse requests get the 429. */
  remaining: z.number().int().min(0),
  retryAfterSeconds: z.number().int().min(0).default(5),
  code: z.enum(THROTTLE_CODES).default("0x80072322"),
});

export const faultsSchema = z.object({
  /** Added to every request (Entra and Dataverse, not the admin API). */
  latencyMs: z.number().int().min(0).default(0),
  /** Added to Dataverse requests of one environment. */
  environmentLatencyMs: z.record(z.string(), z.number().int().min(0)).default({}),
  throttle: z.array(throttleFaultSchema).default([]),
});

export const settingsSchema = z.object({
  /** `expires_in` of access tokens (Entra answers 3599 for a one-hour token). */
  tokenLifetimeSeconds: z.number().int().min(1).default(3599),
  idTokenLifetimeSeconds: z.number().int().min(1).default(3600),
  authorizationCodeLifetimeSeconds: z.number().int().min(1).default(600),
  /** Whether personal accounts are offered on /organizations (Entra: no). */
  msaUsersMayUseOrganizations: z.boolean().default(false),
  /** Entra ignores the port of http://localhost redirect URIs when matching ([U], configurable). */
  ignoreLoopbackRedirectPort: z.boolean().default(true),
  /** Emit `wids` in ID tokens ([U] in the reference: real emission depends on groupMembershipClaims). */
  includeWidsInIdToken: z.boolean().default(true),
  consentAdminRoleIds: z.array(guid).default(DEFAULT_CONSENT_ADMIN_ROLES),
  /** Leeway when Dataverse checks `exp`/`nbf` ([U]; 0 keeps expiry tests deterministic). */
  dataverseClockSkewSeconds: z.number().int().min(0).default(0),
  /** Leeway for client assertion `exp`/`nbf`. */
  assertionClockSkewSeconds: z.number().int().min(0).default(300),
  /**
   * Reading systemusers, roles and business units (and RetrieveUserPrivileges) needs prvReadUser /
   * prvReadRole / prvReadBusinessUnit, the caller's own row included (docs/protocol/dataverse.md "Read
   * privileges"; strict by default; false restores the lenient behaviour for experiments only).
   */
  enforceSecurityTableReadPrivileges: z.boolean().default(true),
  /**
   * What client credentials get while a new service principal replicates: 700016 (app not found) or 7000229
   * (service principal missing); both are seen for seconds to minutes after consent (docs/protocol/pitfalls.md
   * E) [U which one when]. Default 700016.
   */
  replicationErrorCode: z.union([z.literal(700016), z.literal(7000229)]).default(700016),
  /**
   * A non-administrator at an admin-consent request meets Entra's "Need admin approval" page. What its
   * "Return to the application without granting consent" link sends to the redirect URI is not documented
   * ([U], docs/protocol/pitfalls.md E): "error" = error=access_denied with AADSTS90094 and the state; "bare" =
   * the redirect URI with no parameters at all.
   */
  needAdminApprovalReturn: z.enum(["error", "bare"]).default("error"),
  /**
   * A `$batch` stopped at its first failure (no `Prefer: odata.continue-on-error`) answers that request's
   * status; whether the body also carries the parts that succeeded before it is not documented ([U]).
   * Strict default: only the failing part.
   */
  stoppedBatchIncludesEarlierParts: z.boolean().default(false),
  /** Lifetime of managed identity tokens ("around 24 hours", docs/protocol/identity.md M5). */
  managedIdentityTokenLifetimeSeconds: z.number().int().min(1).default(86_400),
  /**
   * How a federated assertion that matches no credential is refused (docs/protocol/identity.md F3): "per-claim" =
   * AADSTS700211 / 700213 / 700212 naming the claim that matched nothing (what Entra answers today); "legacy" =
   * AADSTS70021 naming all three.
   */
  federatedCredentialErrors: z.enum(["per-claim", "legacy"]).default("per-claim"),
  /**
   * Rows in one page of a collection when the client sends no `Prefer: odata.maxpagesize` (Dataverse: 5,000, its
   * maximum; docs/protocol/dataverse.md "Paging"). Tests set it small to see `@odata.nextLink` without 5,001 rows.
   */
  defaultPageSize: z.number().int().min(1).max(5000).default(5000),
});

export const scenarioSchema = z.object({
  app: appRegistrationSchema,
  clientApps: z.array(clientAppSchema).default([]),
  managedIdentities: z.array(managedIdentitySchema).default([]),
  keyVaults: z.array(keyVaultSchema).default([]),
  tenants: z.array(tenantSchema).min(1),
  environments: z.array(environmentSchema).default([]),
  faults: faultsSchema.default({ latencyMs: 0, environmentLatencyMs: {}, throttle: [] }),
  settings: settingsSchema.default(settingsSchema.parse({})),
  /** The commercial marketplace: SaaS offers, subscriptions, the publisher's technical configuration. */
  marketplace: marketplaceSchema.default(marketplaceSchema.parse({})),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type AppRegistration = Scenario["app"];
export type AppRole = z.output<typeof appRoleSchema>;
export type ClientApp = z.output<typeof clientAppSchema>;
export type ClientSecret = z.output<typeof clientSecretSchema>;
export type ClientCertificate = z.output<typeof clientCertificateSchema>;
export type Tenant = z.output<typeof tenantSchema>;
export type TenantUser = z.output<typeof userSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type BusinessUnit = z.output<typeof businessUnitSchema>;
export type SecurityRole = z.output<typeof securityRoleSchema>;
export type SystemUser = z.output<typeof systemUserSchema>;
export type Account = z.output<typeof accountSchema>;
export type Contact = z.output<typeof contactSchema>;
export type Faults = z.output<typeof faultsSchema>;
export type ThrottleFault = z.output<typeof throttleFaultSchema>;
export type Settings = z.output<typeof settingsSchema>;
export type FederatedIdentityCredential = z.output<typeof federatedIdentityCredentialSchema>;
export type ManagedIdentity = z.output<typeof managedIdentitySchema>;
export type KeyVault = z.output<typeof keyVaultSchema>;
export type VaultRole = (typeof VAULT_ROLES)[number];

export class ScenarioValidationError extends Error {
  constructor(
    message: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(message);
    this.name = "ScenarioValidationError";
  }
}

/** Validates (zod) and checks cross-references (tenant ids, business units, role ids). */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioValidationError(`Invalid scenario: ${z.prettifyError(result.error)}`, result.error.issues);
  }
  const scenario = result.data;
  const problems = crossReferenceProblems(scenario);
  if (problems.length > 0) throw new ScenarioValidationError(`Invalid scenario: ${problems.join("; ")}`, []);
  return scenario;
}

function crossReferenceProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  const tenantIds = new Set(scenario.tenants.map((t) => t.id.toLowerCase()));
  if (!tenantIds.has(scenario.app.homeTenantId.toLowerCase()))
    problems.push("app.homeTenantId is not one of the tenants");
  const appRoleValues = new Set(
    scenario.app.appRoles.filter((r) => r.allowedMemberTypes.includes("Application")).map((r) => r.value),
  );
  for (const client of scenario.clientApps) {
    if (!tenantIds.has(client.homeTenantId.toLowerCase()))
      problems.push(`client app '${client.displayName}' has an unknown home tenant`);
    if (client.clientId.toLowerCase() === scenario.app.clientId.toLowerCase())
      problems.push(`client app '${client.displayName}' reuses the app's client id`);
    for (const role of client.grantedAppRoles) {
      if (!appRoleValues.has(role))
        problems.push(
          `client app '${client.displayName}' is granted '${role}', which is not an Application role of the app`,
        );
    }
  }
  for (const mi of scenario.managedIdentities) {
    if (!tenantIds.has(mi.tenantId.toLowerCase()))
      problems.push(`managed identity '${mi.displayName}' has an unknown tenant`);
  }
  if (scenario.managedIdentities.filter((m) => m.kind === "system").length > 1)
    problems.push("a host has at most one system-assigned managed identity");
  const vaultNames = new Set<string>();
  for (const vault of scenario.keyVaults) {
    if (vaultNames.has(vault.name)) problems.push(`duplicate key vault name '${vault.name}'`);
    vaultNames.add(vault.name);
    if (!tenantIds.has(vault.tenantId.toLowerCase())) problems.push(`key vault '${vault.name}' has an unknown tenant`);
  }
  const names = new Set<string>();
  for (const env of scenario.environments) {
    if (names.has(env.name)) problems.push(`duplicate environment name '${env.name}'`);
    names.add(env.name);
    if (!tenantIds.has(env.tenantId.toLowerCase()))
      problems.push(`environment '${env.name}' refers to an unknown tenant`);
    const buIds = new Set(env.businessUnits.map((b) => b.id.toLowerCase()));
    if (env.businessUnits.filter((b) => b.parentId === null).length !== 1) {
      problems.push(`environment '${env.name}' needs exactly one root business unit`);
    }
    const roleIds = new Set(env.roles.map((r) => r.id.toLowerCase()));
    for (const role of env.roles) {
      if (!buIds.has(role.businessUnitId.toLowerCase()))
        problems.push(`role '${role.name}' in '${env.name}' has an unknown business unit`);
    }
    for (const user of env.systemUsers) {
      if (!buIds.has(user.businessUnitId.toLowerCase()))
        problems.push(`user '${user.fullname}' in '${env.name}' has an unknown business unit`);
      for (const roleId of user.roleIds) {
        if (!roleIds.has(roleId.toLowerCase()))
          problems.push(`user '${user.fullname}' in '${env.name}' has an unknown role ${roleId}`);
      }
    }
  }
  return problems;
}
