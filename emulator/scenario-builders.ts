/**
 * One-line scenario builders for tests and the demo:
 *
 *   scenario({ customers: [{ name: "Contoso", environments: [{ name: "contoso", appUser: "disabled" }] }] })
 *   withFault(s, { throttle: { environment: "contoso", count: 2, retryAfterSeconds: 3 } })
 *
 * Defaults favour the happy path (customer consented, application user enabled with the integration
 * role) so a test only spells out the failure it stages. Ids are derived from names (stable).
 */
import { generateAppCredentials } from "./credentials";
import type { AppCredentials } from "./credentials";
import { createHash, randomBytes } from "node:crypto";
import { CONNECTIONS_READ, DEMO_IDS, SUPPORT_ADMIN, SUPPORT_OPERATOR, TENANT_CONNECT } from "./demo-ids";
import { CONSUMER_TENANT_ID, DirectoryRole, MEMBER_USER_ROLE } from "./directory-roles";
import {
  BASIC_USER_PRIVILEGES,
  INTEGRATION_ROLE_PRIVILEGES,
  SYSTEM_CUSTOMIZER_PRIVILEGES,
} from "./dataverse/privileges";
import { stableGuid } from "./guid";
import { newVaultVersion } from "./keyvault";
import { parseScenario } from "./scenario";
import type { AppRegistration, Faults, Scenario, ScenarioInput, Settings, ThrottleCode } from "./scenario";

export type { AppCredentials };

export interface UserSpec {
  name: string;
  /** Full UPN or just the local part (the tenant's domain is appended). */
  upn?: string;
  oid?: string;
  /** Global Administrator. */
  admin?: boolean;
  wids?: string[];
  appRoles?: string[];
  /** The user's security role in the tenant's environments. Default: System Administrator for admins, else Basic User. */
  environmentRole?: "System Administrator" | "System Customizer" | "Basic User";
}

/**
 * The application user in an environment:
 * - "enabled" (default when consented): exists, enabled, has the integration role
 * - "disabled": exists with the role but isdisabled = true
 * - "no-role": exists, enabled, no security role
 * - "none": not created yet
 */
export type AppUserSpec = "none" | "enabled" | "disabled" | "no-role" | { disabled?: boolean; roles?: string[] };

export interface EnvironmentSpec {
  name: string;
  region?: string;
  friendlyName?: string;
  purpose?: "Production" | "Sandbox" | "Developer" | "Trial" | "Default";
  appUser?: AppUserSpec;
  /** Account names; default: five realistic names. */
  accounts?: string[];
  organizationId?: string;
  environmentId?: string;
  /**
   * The ISV's integration role in this environment: "present" (default) with exactly the integration privileges,
   * "absent" (nobody created it yet), or present with extra privileges beyond the integration ones.
   */
  integrationRole?:
    "present" | "absent" | { extraPrivileges: { name: string; depth: "Basic" | "Local" | "Deep" | "Global" }[] };
  administrationMode?: boolean;
  /** Restrict the environment to a security group of the tenant: its name and members (UPN or its local part). */
  securityGroup?: { name: string; members: string[] };
}

export interface CustomerSpec {
  name: string;
  /** The directory's display name as Microsoft shows it (Graph, sign-in pages), e.g. "Contoso Ltd". Default: name. */
  organizationName?: string;
  id?: string;
  domain?: string;
  /** The app's service principal exists (admin consent done). Default true. */
  consented?: boolean;
  /** Default: true when environments are listed. */
  hasDataverse?: boolean;
  replicationDelayMs?: number;
  userConsentAllowed?: boolean;
  /** Default: "<Name> Admin" (Global Administrator, upn admin@) and "<Name> User" (upn user@). */
  users?: UserSpec[];
  environments?: EnvironmentSpec[];
}

/** A client app (daemon) that calls the app's API with client credentials (scenario.ts clientAppSchema). */
export interface ClientAppSpec {
  name: string;
  clientId?: string;
  /** Its home tenant's id; default the ISV's home tenant. */
  homeTenantId?: string;
  /** Application roles of the app granted to it by its tenant's administrator. */
  roles?: string[];
}

export interface ScenarioSpec {
  /** Client apps of the app's API; default none. */
  clientApps?: ClientAppSpec[];
  app?: Partial<Omit<AppRegistration, "clientId" | "homeTenantId">> & { clientId?: string };
  /** Secret + certificate of the app; default: generated once per process. */
  credentials?: AppCredentials;
  home?: {
    id?: string;
    name?: string;
    domain?: string;
    users?: UserSpec[];
    environments?: EnvironmentSpec[];
    /** Graph application permissions assigned to the app directly in the home tenant (e.g. what `npm run doctor` reads with). */
    graphAppRoleAssignments?: string[];
  };
  customers?: CustomerSpec[];
  /** Users of the personal-account tenant (9188040d-…). Default: alex@outlook.com. */
  personalAccounts?: UserSpec[];
  faults?: Partial<Faults>;
  settings?: Partial<Settings>;
  /** The commercial marketplace; default: one SaaS offer (DEFAULT_OFFER), no landing page or webhook configured. */
  marketplace?: NonNullable<ScenarioInput["marketplace"]>;
}

/** The SaaS offer every built scenario sells (docs/protocol/marketplace.md): a flat plan and two per-seat ones. */
export const DEFAULT_OFFER = {
  offerId: "northwind-sync",
  displayName: "Northwind Sync",
  plans: [
    {
      planId: "starter",
      displayName: "Starter",
      description: "One organisation, flat monthly price.",
      termUnit: "P1M" as const,
    },
    {
      planId: "professional",
      displayName: "Professional",
      description: "Per user, monthly.",
      isPricePerSeat: true,
      minQuantity: 1,
      maxQuantity: 500,
      termUnit: "P1M" as const,
    },
    {
      planId: "enterprise",
      displayName: "Enterprise",
      description: "Per user, yearly, from 10 users.",
      isPricePerSeat: true,
      minQuantity: 10,
      maxQuantity: 10_000,
      termUnit: "P1Y" as const,
    },
  ],
};

export interface ThrottleSpec {
  environment?: string;
  count: number;
  retryAfterSeconds?: number;
  code?: ThrottleCode;
}

export interface FaultSpec {
  latencyMs?: number;
  environmentLatencyMs?: Record<string, number>;
  throttle?: ThrottleSpec | ThrottleSpec[];
}

let cachedTestCredentials: AppCredentials | undefined;

/** Random credentials generated once per process (tests need not care where they come from). */
export function testCredentials(): AppCredentials {
  cachedTestCredentials ??= generateAppCredentials(DEMO_IDS.appDisplayName);
  return cachedTestCredentials;
}

const DEFAULT_STAFF: UserSpec[] = [
  { name: "Sam Taylor", upn: "sam.support", appRoles: [SUPPORT_OPERATOR, SUPPORT_ADMIN] },
  { name: "Olivia Martin", upn: "olivia.ops", appRoles: [SUPPORT_OPERATOR] },
  { name: "Dan Park", upn: "dan.dev" },
];

const DEFAULT_PERSONAL_ACCOUNTS: UserSpec[] = [{ name: "Alex Johnson", upn: "alex@outlook.com" }];

const ACCOUNT_NAME_POOL = [
  "Coho Winery",
  "Alpine Ski House",
  "Blue Yonder Airlines",
  "Litware, Inc.",
  "Wide World Importers",
  "Trey Research",
  "Margie's Travel",
  "Lucerne Publishing",
  "Proseware, Inc.",
  "Fourth Coffee",
  "City Power & Light",
  "Graphic Design Institute",
  "Humongous Insurance",
  "Southridge Video",
  "Woodgrove Bank",
];

const CITY_POOL = ["Seattle", "Redmond", "London", "Munich", "Toronto", "Sydney", "Paris", "Osaka"];

function domainFromName(name: string): string {
  return `${name.toLowerCase().replace(/[^a-z0-9]/g, "")}.onmicrosoft.com`;
}

function upnFor(spec: UserSpec, domain: string): string {
  if (spec.upn?.includes("@")) return spec.upn;
  const local = spec.upn ?? spec.name.toLowerCase().replace(/[^a-z0-9]+/g, ".");
  return `${local}@${domain}`;
}

function buildUsers(tenantId: string, domain: string, specs: UserSpec[]) {
  return specs.map((spec) => {
    const environmentRole = spec.environmentRole ?? (spec.admin ? "System Administrator" : "Basic User");
    const upn = upnFor(spec, domain);
    const wids = spec.wids ?? [...(spec.admin ? [DirectoryRole.GlobalAdministrator] : []), MEMBER_USER_ROLE];
    return {
      oid: spec.oid ?? stableGuid(`user:${tenantId}`, upn.toLowerCase()),
      upn,
      displayName: spec.name,
      email: upn,
      wids,
      appRoles: spec.appRoles ?? [],
      environmentRole,
    };
  });
}

export function servicePrincipalObjectId(tenantId: string, clientId: string): string {
  return stableGuid("service-principal", `${tenantId.toLowerCase()}:${clientId.toLowerCase()}`);
}

function integrationRoleName(appDisplayName: string): string {
  return `${appDisplayName} Integration`;
}

interface EnvironmentContext {
  tenantId: string;
  clientId: string;
  appDisplayName: string;
  users: ReturnType<typeof buildUsers>;
  accountPoolOffset: number;
  /** Security groups of the tenant, collected from its environments' specs. */
  groups: { id: string; displayName: string; memberOids: string[] }[];
}

function resolveAppUser(
  spec: AppUserSpec | undefined,
  consented: boolean,
): { create: boolean; disabled: boolean; roles: string[] | "integration" } {
  const effective = spec ?? (consented ? "enabled" : "none");
  if (effective === "none") return { create: false, disabled: false, roles: [] };
  if (effective === "enabled") return { create: true, disabled: false, roles: "integration" };
  if (effective === "disabled") return { create: true, disabled: true, roles: "integration" };
  if (effective === "no-role") return { create: true, disabled: false, roles: [] };
  return { create: true, disabled: effective.disabled ?? false, roles: effective.roles ?? "integration" };
}

function buildEnvironment(
  spec: EnvironmentSpec,
  ctx: EnvironmentContext,
  consented: boolean,
): NonNullable<ScenarioInput["environments"]>[number] {
  const env = spec.name;
  const region = spec.region ?? "crm";
  const rootBuId = stableGuid(`bu:${env}`, "root");
  const roleId = (name: string) => stableGuid(`role:${env}`, name.toLowerCase());
  const sysAdmin = "System Administrator";
  const basicUser = "Basic User";
  const customizer = "System Customizer";
  const integration = integrationRoleName(ctx.appDisplayName);
  const integrationSpec = spec.integrationRole ?? "present";
  const roles = [
    { id: roleId(sysAdmin), name: sysAdmin, businessUnitId: rootBuId, allPrivileges: true, privileges: [] },
    { id: roleId(customizer), name: customizer, businessUnitId: rootBuId, privileges: SYSTEM_CUSTOMIZER_PRIVILEGES },
    { id: roleId(basicUser), name: basicUser, businessUnitId: rootBuId, privileges: BASIC_USER_PRIVILEGES },
    ...(integrationSpec === "absent"
      ? []
      : [
          {
            id: roleId(integration),
            name: integration,
            businessUnitId: rootBuId,
            privileges: [
              ...INTEGRATION_ROLE_PRIVILEGES,
              ...(integrationSpec === "present" ? [] : integrationSpec.extraPrivileges),
            ],
          },
        ]),
  ];
  const humanUsers = ctx.users.map((user) => ({
    id: stableGuid(`systemuser:${env}`, user.oid),
    fullname: user.displayName,
    businessUnitId: rootBuId,
    azureAdObjectId: user.oid,
    domainname: user.upn,
    internalemailaddress: user.upn,
    accessMode: 0,
    roleIds: [roleId(user.environmentRole)],
  }));
  const appUser = resolveAppUser(spec.appUser, consented);
  const appUsers = appUser.create
    ? [
        {
          id: stableGuid(`systemuser:${env}`, `app:${ctx.clientId}`),
          fullname: ctx.appDisplayName,
          businessUnitId: rootBuId,
          applicationId: ctx.clientId,
          azureAdObjectId: servicePrincipalObjectId(ctx.tenantId, ctx.clientId),
          // Auto-generated user name pattern "<App name><Application ID>@<TenantId>.com" (docs/protocol/dataverse.md B4, [U]).
          domainname: `${ctx.appDisplayName.replace(/\s+/g, "")}${ctx.clientId}@${ctx.tenantId}.com`,
          isDisabled: appUser.disabled,
          accessMode: 4,
          roleIds: (appUser.roles === "integration" ? [integration] : appUser.roles).map((name) => roleId(name)),
        },
      ]
    : [];
  const owner = humanUsers.find((u) => u.roleIds.includes(roleId(sysAdmin))) ?? humanUsers[0];
  const accountNames =
    spec.accounts ??
    Array.from(
      { length: 5 },
      (_, i) => ACCOUNT_NAME_POOL[(ctx.accountPoolOffset + i) % ACCOUNT_NAME_POOL.length] ?? `Account ${i + 1}`,
    );
  const accounts = accountNames.map((name, i) => ({
    id: stableGuid(`account:${env}`, name),
    name,
    accountnumber: `${env.slice(0, 3).toUpperCase()}-${String(1001 + i)}`,
    telephone1: `+1 425 555 01${String(10 + i)}`,
    address1_city: CITY_POOL[(ctx.accountPoolOffset + i) % CITY_POOL.length] ?? "Seattle",
    revenue: 250000 * (i + 1),
    ownerId: owner?.id ?? null,
    createdon: new Date(Date.UTC(2024, i, 1 + i)).toISOString(),
  }));
  const contacts = accounts.slice(0, 3).map((account, i) => ({
    id: stableGuid(`contact:${env}`, account.name),
    firstname: ["Yvonne", "Rene", "Paul"][i] ?? "Kim",
    lastname: ["McKay", "Valdes", "Cannon"][i] ?? "Abercrombie",
    emailaddress1: `${["yvonne", "rene", "paul"][i] ?? "kim"}@example.com`,
    parentAccountId: account.id,
    ownerId: owner?.id ?? null,
  }));
  const group = spec.securityGroup
    ? {
        id: stableGuid(`group:${ctx.tenantId}`, spec.securityGroup.name),
        displayName: spec.securityGroup.name,
        memberOids: spec.securityGroup.members.map(
          (m) =>
            ctx.users.find((u) => u.upn === m || u.upn.split("@")[0] === m)?.oid ?? stableGuid("unknown-member", m),
        ),
      }
    : undefined;
  if (group) ctx.groups.push(group);
  return {
    name: env,
    region,
    administrationMode: spec.administrationMode ?? false,
    securityGroupId: group?.id ?? null,
    tenantId: ctx.tenantId,
    organizationId: spec.organizationId ?? stableGuid("organization", env),
    environmentId: spec.environmentId ?? stableGuid("environment", env),
    friendlyName:
      spec.friendlyName ??
      env.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`),
    uniqueName: `unq${stableGuid("unique", env).replace(/-/g, "").slice(0, 24)}`,
    purpose: spec.purpose ?? "Production",
    businessUnits: [{ id: rootBuId, name: env, parentId: null }],
    roles,
    systemUsers: [...humanUsers, ...appUsers],
    accounts,
    contacts,
  };
}

function defaultRedirectUris(): string[] {
  // The portal's next-auth callback and admin-consent callback (plus common alternatives).
  const paths = [
    "/api/auth/callback/microsoft-entra-id",
    "/consent/callback",
    "/api/consent/callback",
    "/onboarding/consent/callback",
    "/onboarding/delegated/callback",
  ];
  return ["http://localhost:3000", "http://127.0.0.1:3000"].flatMap((origin) => paths.map((p) => `${origin}${p}`));
}

/**
 * A client app's secret, derived from the app's (so the demo's persisted credentials give stable ones and a test
 * can compute it): base64url SHA-256 of "<app secret>:<client id>".
 */
export function clientAppSecret(credentials: AppCredentials, clientId: string): string {
  return createHash("sha256").update(`${credentials.secret.value}:${clientId.toLowerCase()}`).digest("base64url");
}

/** Builds a complete, validated scenario. Everything not specified gets a sensible default. */
export function scenario(spec: ScenarioSpec = {}): Scenario {
  const credentials = spec.credentials ?? testCredentials();
  const clientId = spec.app?.clientId ?? DEMO_IDS.clientId;
  const appDisplayName = spec.app?.displayName ?? DEMO_IDS.appDisplayName;
  const homeId = spec.home?.id ?? DEMO_IDS.tenants.northwind;
  const homeName = spec.home?.name ?? "Northwind Traders";
  const homeDomain = spec.home?.domain ?? "northwind.onmicrosoft.com";

  const tenants: NonNullable<ScenarioInput["tenants"]> = [];
  const environments: NonNullable<ScenarioInput["environments"]> = [];
  let accountPoolOffset = 0;

  const addTenant = (c: {
    id: string;
    name: string;
    domain: string;
    users: UserSpec[];
    consented: boolean;
    environments: EnvironmentSpec[];
    hasDataverse?: boolean;
    replicationDelayMs?: number;
    userConsentAllowed?: boolean;
    kind?: "organization" | "consumers";
    organizationName?: string | undefined;
    graphAppRoleAssignments?: string[] | undefined;
  }) => {
    const users = buildUsers(c.id, c.domain, c.users);
    const groups: EnvironmentContext["groups"] = [];
    tenants.push({
      groups,
      id: c.id,
      displayName: c.name,
      ...(c.organizationName ? { organizationName: c.organizationName } : {}),
      primaryDomain: c.domain,
      kind: c.kind ?? "organization",
      hasDataverse: c.hasDataverse ?? c.environments.length > 0,
      users: users.map(({ environmentRole: _role, ...user }) => user),
      appConsented: c.consented,
      adminConsented: c.consented,
      servicePrincipalObjectId: servicePrincipalObjectId(c.id, clientId),
      consentReplicationDelayMs: c.replicationDelayMs ?? 0,
      userConsentAllowed: c.userConsentAllowed ?? true,
      graphAppRoleAssignments: c.graphAppRoleAssignments ?? [],
    });
    for (const envSpec of c.environments) {
      environments.push(
        buildEnvironment(
          envSpec,
          { tenantId: c.id, clientId, appDisplayName, users, accountPoolOffset, groups },
          c.consented,
        ),
      );
      accountPoolOffset += 5;
    }
  };

  // The ISV's home tenant: the app is registered here, so its service principal always exists.
  addTenant({
    id: homeId,
    name: homeName,
    domain: homeDomain,
    users: spec.home?.users ?? DEFAULT_STAFF,
    consented: true,
    environments: spec.home?.environments ?? [],
    graphAppRoleAssignments: spec.home?.graphAppRoleAssignments,
  });
  for (const customer of spec.customers ?? []) {
    addTenant({
      id: customer.id ?? stableGuid("tenant", customer.name),
      name: customer.name,
      domain: customer.domain ?? domainFromName(customer.name),
      users: customer.users ?? [
        { name: `${customer.name} Admin`, upn: "admin", admin: true },
        { name: `${customer.name} User`, upn: "user" },
      ],
      consented: customer.consented ?? true,
      environments: customer.environments ?? [],
      hasDataverse: customer.hasDataverse,
      replicationDelayMs: customer.replicationDelayMs,
      userConsentAllowed: customer.userConsentAllowed,
      organizationName: customer.organizationName,
    });
  }
  addTenant({
    id: CONSUMER_TENANT_ID,
    name: "Microsoft Accounts",
    domain: "live.com",
    users: (spec.personalAccounts ?? DEFAULT_PERSONAL_ACCOUNTS).map((u) => ({ ...u, wids: u.wids ?? [] })),
    consented: false,
    environments: [],
    kind: "consumers",
  });

  const now = Date.now();
  const input: ScenarioInput = {
    app: {
      clientId,
      displayName: appDisplayName,
      homeTenantId: homeId,
      multiTenant: true,
      disabled: false,
      redirectUris: defaultRedirectUris(),
      appRoles: [
        {
          id: DEMO_IDS.appRoles.supportOperator,
          value: SUPPORT_OPERATOR,
          displayName: "Support operator",
          description: "View tenant onboarding state and re-run checks.",
        },
        {
          id: DEMO_IDS.appRoles.supportAdmin,
          value: SUPPORT_ADMIN,
          displayName: "Support administrator",
          description: "Destructive actions: offboard tenants, reset onboarding.",
        },
        {
          id: DEMO_IDS.appRoles.tenantConnect,
          value: TENANT_CONNECT,
          displayName: "Connect the organisation",
          description:
            "Granted by an administrator's consent: lets the app connect to the organisation's Dataverse environments.",
          allowedMemberTypes: ["Application"],
        },
        {
          id: DEMO_IDS.appRoles.connectionsRead,
          value: CONNECTIONS_READ,
          displayName: "Read connections",
          description: "The vendor's back end reads every connected tenant and environment from the portal's API.",
          allowedMemberTypes: ["Application"],
        },
      ],
      identifierUris: [`api://${clientId}`],
      // The portal validates v2.0 tokens for its API (docs/protocol/entra.md "The portal's own API").
      accessTokenAcceptedVersion: 2,
      secrets: [
        {
          keyId: credentials.secret.keyId,
          displayName: "demo secret",
          value: credentials.secret.value,
          startsAt: new Date(now - 60_000).toISOString(),
          expiresAt: credentials.secret.expiresAt,
        },
      ],
      certificates: [
        {
          keyId: credentials.certificate.keyId,
          displayName: "demo certificate",
          certPem: credentials.certificate.certPem,
          thumbprintSha1: credentials.certificate.thumbprintSha1,
          thumbprintSha256: credentials.certificate.thumbprintSha256,
          expiresAt: credentials.certificate.expiresAt,
          privateKeyPem: credentials.certificate.keyPem,
        },
      ],
      requiredPermissions: [
        // Server-to-server access to Dataverse needs no Dynamics CRM permission on the registration; requiring one
        // would make consent fail in tenants without Dataverse (docs/protocol/pitfalls.md E, "Required resources").
        { resource: "Microsoft Graph", permission: "User.Read", description: "Sign in and read user profile" },
        {
          resource: DEMO_IDS.appDisplayName,
          permission: TENANT_CONNECT,
          description: "Connect your organisation's Dataverse environments (granted by an administrator's consent)",
          adminOnly: true,
        },
      ],
      publisherDomain: homeDomain,
      // The portal's managed identity as a credential of the app: no secret at all (docs/protocol/identity.md F1).
      federatedIdentityCredentials: [
        {
          id: stableGuid("federated-credential", DEMO_IDS.federatedCredentialName),
          name: DEMO_IDS.federatedCredentialName,
          issuer: `{authority}/${homeId}/v2.0`,
          subject: DEMO_IDS.managedIdentity.principalId,
          audiences: ["api://AzureADTokenExchange"],
          description: "The onboarding portal's user-assigned managed identity",
        },
      ],
      // Organisation names of customer tenants, read app-only in the home tenant (docs/protocol/entra.md).
      graphApplicationPermissions: ["CrossTenantInformation.ReadBasic.All"],
      // The portal asks for recent sign-ins by auth_time (docs/protocol/entra.md "Re-authentication"; README).
      idTokenOptionalClaims: ["auth_time"],
      ...stripUndefined(spec.app ?? {}),
    },
    clientApps: (spec.clientApps ?? []).map((c) => {
      const id = c.clientId ?? stableGuid("client-app", c.name);
      const home = c.homeTenantId ?? homeId;
      return {
        clientId: id,
        displayName: c.name,
        homeTenantId: home,
        secrets: [
          {
            keyId: stableGuid("client-app-secret", id),
            displayName: "secret",
            value: clientAppSecret(credentials, id),
            startsAt: new Date(now - 60_000).toISOString(),
            expiresAt: credentials.secret.expiresAt,
          },
        ],
        grantedAppRoles: c.roles ?? [],
        servicePrincipalObjectId: servicePrincipalObjectId(home, id),
      };
    }),
    managedIdentities: [
      {
        kind: "user",
        displayName: `${appDisplayName} Portal`,
        clientId: DEMO_IDS.managedIdentity.clientId,
        principalId: DEMO_IDS.managedIdentity.principalId,
        tenantId: homeId,
      },
    ],
    // The portal's vault: its session secret, and the app's certificate with its private key (PEM), readable by
    // the managed identity only.
    keyVaults: [
      {
        name: DEMO_IDS.keyVault.name,
        tenantId: homeId,
        roleAssignments: [
          { principalId: DEMO_IDS.managedIdentity.principalId, role: "Key Vault Secrets User" },
          { principalId: DEMO_IDS.managedIdentity.principalId, role: "Key Vault Certificate User" },
        ],
        secrets: [
          {
            name: DEMO_IDS.keyVault.authSecret,
            versions: [
              {
                version: newVaultVersion(),
                value: randomBytes(32).toString("base64url"),
                created: Math.floor(now / 1000),
                updated: Math.floor(now / 1000),
              },
            ],
          },
        ],
        certificates: [
          {
            name: DEMO_IDS.keyVault.certificate,
            versions: [
              {
                version: newVaultVersion(),
                certPem: credentials.certificate.certPem,
                keyPem: credentials.certificate.keyPem,
                created: Math.floor(now / 1000),
                updated: Math.floor(now / 1000),
              },
            ],
          },
        ],
      },
    ],
    tenants,
    environments,
    faults: { latencyMs: 0, environmentLatencyMs: {}, throttle: [], ...stripUndefined(spec.faults ?? {}) },
    settings: stripUndefined(spec.settings ?? {}),
    marketplace: { offers: [DEFAULT_OFFER], ...(spec.marketplace ?? {}) },
  };
  return parseScenario(input);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Returns a copy of `base` with faults added (throttles are appended, latencies overwritten). */
export function withFault(base: Scenario, fault: FaultSpec): Scenario {
  const next = structuredClone(base);
  if (fault.latencyMs !== undefined) next.faults.latencyMs = fault.latencyMs;
  if (fault.environmentLatencyMs) Object.assign(next.faults.environmentLatencyMs, fault.environmentLatencyMs);
  const throttles =
    fault.throttle === undefined ? [] : Array.isArray(fault.throttle) ? fault.throttle : [fault.throttle];
  for (const t of throttles) {
    next.faults.throttle.push({
      ...(t.environment !== undefined ? { environment: t.environment } : {}),
      remaining: t.count,
      retryAfterSeconds: t.retryAfterSeconds ?? 5,
      code: t.code ?? "0x80072322",
    });
  }
  return parseScenario(next);
}

export function withSettings(base: Scenario, settings: Partial<Settings>): Scenario {
  const next = structuredClone(base);
  Object.assign(next.settings, stripUndefined(settings));
  return parseScenario(next);
}
