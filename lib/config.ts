import "server-only";

// The one reader of process.env. Everything the portal is configured with passes through the zod schema
// below, so a wrong value is reported once, at start-up, by the name of the variable that holds it.
//
// Modes:
//   demo        nothing configured (or PORTAL_MODE=demo): embedded database, a generated session secret,
//               Microsoft endpoints from whatever the demo script passes (the built-in emulator).
//   production  anything configured (or PORTAL_MODE=production): every required variable must be present
//               and well-formed, or start-up stops with one line naming it.

import { randomBytes } from "node:crypto";
import type { PrivilegeDepth, RequiredPrivilege } from "@/lib/checks/vocabulary";
import { DEFAULT_CUSTOMER_ADMIN_ROLE_IDS } from "@/lib/auth/customer-roles";
import { z } from "zod";
import { GUID } from "@/lib/validators";
import { DatabaseUrlError, DEFAULT_EMBEDDED_DATABASE_URL, parseDatabaseUrl, type DatabaseTarget } from "@/lib/db/url";

/** Dataverse host suffixes of every Microsoft cloud (see docs/protocol/dataverse.md B1). */
export const MICROSOFT_DATAVERSE_HOST_SUFFIXES = [
  "crm.dynamics.com",
  ...Array.from({ length: 20 }, (_, i) => `crm${i + 2}.dynamics.com`), // crm2 … crm21
  "crm.microsoftdynamics.us",
  "crm.appsplatform.us",
  "crm.dynamics.cn",
] as const;

export const DEFAULT_ROLE_NAME = "Northwind Sync Integration";
/**
 * What the app's role must grant, with the least depth that works. The app syncs accounts and contacts across
 * the organisation; the connection check reads the app's own user row and its roles, which needs prvReadUser
 * and prvReadRole at Business Unit level (the application user lives in the root business unit; see
 * docs/protocol/dataverse.md "Read privileges").
 */
export const DEFAULT_ROLE_PRIVILEGES: readonly RequiredPrivilege[] = [
  { name: "prvReadAccount", depth: "Global" },
  { name: "prvWriteAccount", depth: "Global" },
  { name: "prvCreateAccount", depth: "Global" },
  { name: "prvReadContact", depth: "Global" },
  { name: "prvWriteContact", depth: "Global" },
  { name: "prvCreateContact", depth: "Global" },
  { name: "prvReadUser", depth: "Local" },
  { name: "prvReadRole", depth: "Local" },
];

/** Depth words accepted in DATAVERSE_ROLE_PRIVILEGES: Dataverse's API names and the admin center's. */
const DEPTH_WORDS: Record<string, PrivilegeDepth> = {
  basic: "Basic",
  user: "Basic",
  local: "Local",
  businessunit: "Local",
  deep: "Deep",
  parentchildbusinessunits: "Deep",
  parentchild: "Deep",
  global: "Global",
  organization: "Global",
};

/** Variables that, when any is set, mean the operator is configuring a real deployment. */
const PRODUCTION_MARKERS = [
  "ENTRA_CLIENT_ID",
  "ENTRA_HOME_TENANT_ID",
  "ENTRA_CLIENT_SECRET",
  "ENTRA_CLIENT_CERTIFICATE_PATH",
  "ENTRA_CLIENT_MANAGED_IDENTITY",
  "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT",
  "DATABASE_URL",
  "AUTH_SECRET",
] as const;

type Env = Record<string, string | undefined>;

/** pino's levels (lib/log.ts). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

// Empty strings are unset: a `FOO=` line in a .env file must not count as a value.
const optionalString = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.string().trim().optional(),
);

const guid = z
  .string()
  .trim()
  .regex(GUID, "must be a GUID like 00000000-0000-0000-0000-000000000000")
  .transform((v) => v.toLowerCase());

const httpsOrigin = z
  .string()
  .trim()
  .transform((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a URL like https://login.microsoftonline.com" });
      return z.NEVER;
    }
    if (url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must use https (MSAL refuses plain http authorities)" });
      return z.NEVER;
    }
    return url.origin;
  });

const baseUrl = z
  .string()
  .trim()
  .transform((v, ctx) => {
    try {
      const url = new URL(v);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("scheme");
      return url.origin;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be the portal's public URL, e.g. https://onboarding.example.com" });
      return z.NEVER;
    }
  });

const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/** `prvReadAccount` (Organization level) or `prvReadUser:BusinessUnit`, comma-separated. */
const privilegeList = csv.transform((items, ctx) => {
  const result: RequiredPrivilege[] = [];
  for (const item of items) {
    const colon = item.indexOf(":");
    const name = (colon < 0 ? item : item.slice(0, colon)).trim();
    const depthWord = colon < 0 ? undefined : item.slice(colon + 1);
    const depth = depthWord === undefined ? "Global" : DEPTH_WORDS[depthWord.toLowerCase().replace(/[^a-z]/g, "")];
    if (!/^prv[A-Za-z0-9_]+$/.test(name) || !depth) {
      ctx.addIssue({
        code: "custom",
        message: `has '${item}'; expected privilege names like prvReadAccount or prvReadUser:BusinessUnit (depth User, BusinessUnit, ParentChildBusinessUnits or Organization)`,
      });
      return z.NEVER;
    }
    result.push({ name, depth });
  }
  return result;
});

/** Comma-separated GUIDs (directory role template ids). */
const guidList = csv.transform((items, ctx) => {
  const bad = items.find((i) => !GUID.test(i));
  if (bad !== undefined || items.length === 0) {
    ctx.addIssue({
      code: "custom",
      message: `must be directory role template ids (GUIDs), comma-separated${bad !== undefined ? `; '${bad}' is not one` : ""}`,
    });
    return z.NEVER;
  }
  return items.map((i) => i.toLowerCase());
});

const port = z.coerce.number().int().min(1).max(65535);

/** `https://<vault host>/<collection>/<name>` (no version: the latest is used and followed). */
function vaultObjectUrl(
  value: string,
  collection: "certificates",
  ctx: z.RefinementCtx,
): { vaultUrl: string; name: string } {
  const match = /^(https:\/\/[^/?#]+)\/certificates\/([0-9A-Za-z-]{1,127})\/?$/.exec(value.trim());
  if (!match) {
    ctx.addIssue({
      code: "custom",
      message: `must be a Key Vault ${collection === "certificates" ? "certificate" : "object"} identifier without a version, e.g. https://<vault>.vault.azure.net/certificates/<name>`,
    });
    return z.NEVER;
  }
  return { vaultUrl: match[1]!.toLowerCase(), name: match[2]! };
}

const REFERENCE = /^@Microsoft\.KeyVault\((.*)\)$/is;

/** Whether a value is a Key Vault reference (well-formed or not). */
export function isKeyVaultReference(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase().startsWith("@microsoft.keyvault(");
}

/** Parses one reference; ConfigError naming the variable when it is not the documented syntax. */
export function parseKeyVaultReference(variable: KeyVaultReferenceVariable, value: string): KeyVaultReference {
  const malformed = (why: string) =>
    new ConfigError(
      variable,
      `is a malformed Key Vault reference (${why}); the syntax is ${KEY_VAULT_REFERENCE_SYNTAX}`,
    );
  const inner = REFERENCE.exec(value.trim())?.[1]?.trim();
  if (inner === undefined) throw malformed("it must end with ')'");
  const eq = inner.indexOf("=");
  if (eq < 0 || inner.slice(0, eq).trim().toLowerCase() !== "secreturi")
    throw malformed("only SecretUri=… is supported");
  let url: URL;
  try {
    url = new URL(inner.slice(eq + 1).trim());
  } catch {
    throw malformed("SecretUri is not a URL");
  }
  const path = /^\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]{32}))?\/?$/.exec(url.pathname);
  if (url.protocol !== "https:" || !path || url.search || url.hash)
    throw malformed("SecretUri must be https://<vault host>/secrets/<name>, optionally followed by /<version>");
  return { variable, vaultUrl: url.origin.toLowerCase(), name: path[1]!, version: path[2]?.toLowerCase() ?? null };
}

/** The Key Vault references among the variables that may hold one (ConfigError on a malformed one). */
export function keyVaultReferences(env: Env = process.env): KeyVaultReference[] {
  return KEY_VAULT_REFERENCE_VARIABLES.filter((name) => isKeyVaultReference(env[name])).map((name) =>
    parseKeyVaultReference(name, env[name]!),
  );
}

type ResolvedReferences = Partial<Record<KeyVaultReferenceVariable, { reference: string; value: string }>>;
// One per process (Next may load this module once per bundle): what lib/vault/references.ts read at start.
const resolvedHolder = globalThis as unknown as { portalResolvedReferences?: ResolvedReferences };

/** Installs the values read from Key Vault; config() is parsed again with them in place of the references. */
export function useResolvedReferences(
  values: Partial<Record<KeyVaultReferenceVariable, string>>,
  env: Env = process.env,
): void {
  const resolved: ResolvedReferences = {};
  for (const [variable, value] of Object.entries(values) as Array<[KeyVaultReferenceVariable, string]>) {
    const reference = env[variable];
    if (reference !== undefined) resolved[variable] = { reference, value };
  }
  resolvedHolder.portalResolvedReferences = resolved;
  cached = undefined;
}

/** The environment with each Key Vault reference replaced by its resolved value; ConfigError for one not resolved. */
function withResolvedReferences(env: Env): Env {
  const references = keyVaultReferences(env);
  if (references.length === 0) return env;
  const effective: Env = { ...env };
  for (const reference of references) {
    const resolved = resolvedHolder.portalResolvedReferences?.[reference.variable];
    if (!resolved || resolved.reference !== env[reference.variable]) {
      throw new ConfigError(
        reference.variable,
        "is a Key Vault reference that has not been resolved (the portal and `npm run worker` resolve them at start; this program does not)",
      );
    }
    effective[reference.variable] = resolved.value;
  }
  return effective;
}

/**
 * What is needed before Key Vault references are resolved — by the outbound client that reads them, the logger,
 * and the identity the portal reads Key Vault with.
 */
export function earlySettings(env: Env = process.env): {
  mode: PortalConfig["mode"];
  logLevel: PortalConfig["logLevel"];
  outboundTimeoutMs: number;
  keyVaultIdentity: KeyVaultIdentity;
  clientId: string | null;
} {
  const parsed = rawSchema
    .pick({
      LOG_LEVEL: true,
      OUTBOUND_TIMEOUT_MS: true,
      KEY_VAULT_IDENTITY: true,
      ENTRA_CLIENT_MANAGED_IDENTITY: true,
      ENTRA_CLIENT_ID: true,
    })
    .safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(
      String(issue.path[0] ?? "configuration"),
      issue.message.startsWith("must") ? issue.message : `is malformed: ${issue.message}`,
    );
  }
  const v = parsed.data;
  return {
    mode: isProductionIntended(env) ? "production" : "demo",
    logLevel: v.LOG_LEVEL ?? "info",
    outboundTimeoutMs: v.OUTBOUND_TIMEOUT_MS ?? 15_000,
    keyVaultIdentity: keyVaultIdentityOf(v),
    clientId: v.ENTRA_CLIENT_ID ?? null,
  };
}

/** Key Vault is read as KEY_VAULT_IDENTITY says, else as the app's managed identity, else the host's system-assigned one. */
function keyVaultIdentityOf(v: {
  KEY_VAULT_IDENTITY?: KeyVaultIdentity | undefined;
  ENTRA_CLIENT_MANAGED_IDENTITY?: string | undefined;
}): KeyVaultIdentity {
  return (
    v.KEY_VAULT_IDENTITY ??
    (v.ENTRA_CLIENT_MANAGED_IDENTITY
      ? { kind: "user-assigned", clientId: v.ENTRA_CLIENT_MANAGED_IDENTITY }
      : { kind: "system" })
  );
}
/** OTLP headers as the OpenTelemetry specification writes them: `key=value,key2=value2` (values URL-encoded). */
const otlpHeaders = csv.transform((items, ctx) => {
  const headers: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) {
      ctx.addIssue({
        code: "custom",
        message: "must be key=value pairs, comma-separated (e.g. authorization=Bearer%20abc)",
      });
      return z.NEVER;
    }
    headers[item.slice(0, eq).trim().toLowerCase()] = decodeURIComponent(item.slice(eq + 1).trim());
  }
  return headers;
});

const rawSchema = z.object({
  PORTAL_MODE: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["demo", "production"]).optional()),
  PORT: z.preprocess((v) => (v === "" ? undefined : v), port.optional()),
  AUTH_URL: optionalString.pipe(baseUrl.optional()),
  TRUST_FORWARDED_HEADERS: z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim().toLowerCase()) : v),
    z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  ),
  AUTH_SECRET: optionalString.pipe(
    z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  ),
  SESSION_MAX_AGE_HOURS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .optional(),
  ),
  REAUTH_MAX_AGE_MINUTES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
  ),
  DATABASE_URL: optionalString,
  ENTRA_AUTHORITY_HOST: optionalString.pipe(httpsOrigin.optional()),
  ENTRA_CLIENT_ID: optionalString.pipe(guid.optional()),
  ENTRA_HOME_TENANT_ID: optionalString.pipe(guid.optional()),
  ENTRA_CLIENT_SECRET: optionalString,
  ENTRA_CLIENT_SECRET_EXPIRES_AT: optionalString.pipe(z.iso.datetime({ offset: true }).or(z.iso.date()).optional()),
  ENTRA_CLIENT_SECRET_2: optionalString,
  ENTRA_CLIENT_SECRET_2_EXPIRES_AT: optionalString.pipe(z.iso.datetime({ offset: true }).or(z.iso.date()).optional()),
  ENTRA_CLIENT_CERTIFICATE_PATH: optionalString,
  ENTRA_CLIENT_PRIVATE_KEY_PATH: optionalString,
  ENTRA_CLIENT_MANAGED_IDENTITY: optionalString.pipe(
    z
      .string()
      .refine((v) => v.toLowerCase() !== "system", {
        message:
          'must be the client id of a user-assigned managed identity: Microsoft accepts no system-assigned identity as a federated credential ("Only user-assigned managed identities can be used as a federated credential for apps")',
      })
      .pipe(guid)
      .optional(),
  ),
  ENTRA_CLIENT_CERTIFICATE_KEY_VAULT: optionalString.pipe(
    z
      .string()
      .transform((v, ctx) => vaultObjectUrl(v, "certificates", ctx))
      .optional(),
  ),
  KEY_VAULT_IDENTITY: optionalString.pipe(
    z
      .string()
      .transform((v, ctx): KeyVaultIdentity => {
        if (v.toLowerCase() === "system") return { kind: "system" };
        if (v.toLowerCase() === "default") return { kind: "default" };
        if (GUID.test(v)) return { kind: "user-assigned", clientId: v.toLowerCase() };
        ctx.addIssue({
          code: "custom",
          message:
            "must be 'system', a user-assigned managed identity's client id (GUID) or 'default' (DefaultAzureCredential)",
        });
        return z.NEVER;
      })
      .optional(),
  ),
  KEY_VAULT_REFRESH_MINUTES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
  ),
  TENANCY_MODE: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["multi", "single"]).optional()),
  SUPPORT_OPERATOR_ROLE: optionalString,
  CUSTOMER_ADMIN_ROLE_IDS: optionalString.pipe(guidList.optional()),
  ENTRA_CONSENT_APP_ROLE: optionalString,
  SUPPORT_ADMIN_ROLE: optionalString,
  DATAVERSE_ROLE_NAME: optionalString,
  DATAVERSE_ROLE_PRIVILEGES: optionalString.pipe(privilegeList.optional()),
  DATAVERSE_ALLOWED_HOST_SUFFIXES: optionalString.pipe(csv.optional()),
  PORTAL_APP_NAME: optionalString,
  PORTAL_VENDOR_NAME: optionalString,
  PORTAL_SUPPORT_EMAIL: optionalString.pipe(z.email("must be an email address").optional()),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).optional(),
  ),
  OUTBOUND_TIMEOUT_MS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(100).max(120_000).optional(),
  ),
  GLOBAL_DISCOVERY_URL: optionalString.pipe(httpsOrigin.optional()),
  GRAPH_URL: optionalString.pipe(httpsOrigin.optional()),
  DEMO_ADMIN_CENTER_URL: optionalString,
  WEBHOOK_URL: optionalString.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: "must be the http(s) URL lifecycle events are POSTed to, e.g. https://backend.example.com/hooks/portal",
      })
      .optional(),
  ),
  WEBHOOK_SECRET: optionalString.pipe(
    z.string().min(24, "must be at least 24 characters (e.g. `openssl rand -base64 32`)").optional(),
  ),
  CONSENT_VERIFICATION_TIMEOUT_MINUTES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  ),
  API_RATE_LIMIT_PER_MINUTE: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(100_000).optional(),
  ),
  RECHECK_INTERVAL_MINUTES: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .optional(),
  ),
  RECHECK_CONCURRENCY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(500).optional(),
  ),
  RECHECK_TENANT_CONCURRENCY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(100).optional(),
  ),
  RECHECK_WORKER: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["in-process", "off"]).optional()),
  MARKETPLACE_API_URL: optionalString.pipe(
    z
      .url({
        protocol: /^https$/,
        error: "must be the SaaS Fulfillment API's https base URL, e.g. https://marketplaceapi.microsoft.com/api",
      })
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
  ),
  MARKETPLACE_ACCEPTED_PLANS: optionalString.pipe(
    csv
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^[a-z0-9_-]{1,50}$/, "must be plan ids (lowercase letters, digits, - and _), comma-separated"),
          )
          .min(1),
      )
      .optional(),
  ),
  MARKETPLACE_MAX_QUANTITY: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(1_000_000).optional(),
  ),
  MARKETPLACE_ACTIVATION_HOURS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number()
      .positive()
      .max(24 * 90)
      .optional(),
  ),
  SMTP_URL: optionalString.pipe(
    z.url({ protocol: /^smtps?$/, error: "must be smtp://host:port or smtps://user:password@host:port" }).optional(),
  ),
  SMTP_PASSWORD: optionalString,
  EMAIL_FROM: optionalString.pipe(z.email("must be an email address").optional()),
  // Operations (docs/operations.md): /api/metrics behind a bearer token, traces by OTLP/HTTP.
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(24, "must be at least 24 characters (e.g. `openssl rand -base64 32`)").optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: "must be the OTLP/HTTP collector's base URL, e.g. http://otel-collector:4318",
      })
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_HEADERS: optionalString.pipe(otlpHeaders.optional()),
  OTEL_SERVICE_NAME: optionalString,
});

/**
 * Global Discovery of each cloud, by its Entra authority host (docs/protocol/dataverse.md B7). GCC (crm9) and
 * DoD share an authority host with another cloud, so they set GLOBAL_DISCOVERY_URL.
 */
const GLOBAL_DISCOVERY_BY_AUTHORITY: Record<string, string> = {
  "login.microsoftonline.com": "https://globaldisco.crm.dynamics.com",
  "login.microsoftonline.us": "https://globaldisco.crm.microsoftdynamics.us",
  "login.partner.microsoftonline.cn": "https://globaldisco.crm.dynamics.cn",
  "login.chinacloudapi.cn": "https://globaldisco.crm.dynamics.cn",
};

/**
 * Microsoft Graph's service root of each cloud, by its Entra authority host (docs/protocol/entra.md "Organisation
 * names"; https://learn.microsoft.com/graph/deployments). DoD (dod-graph.microsoft.us) shares login.microsoftonline.us
 * with GCC High, so it sets GRAPH_URL.
 */
const GRAPH_BY_AUTHORITY: Record<string, string> = {
  "login.microsoftonline.com": "https://graph.microsoft.com",
  "login.microsoftonline.us": "https://graph.microsoft.us",
  "login.partner.microsoftonline.cn": "https://microsoftgraph.chinacloudapi.cn",
  "login.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn",
};

/**
 * One credential of the app registration. `slot` names the variables it came from (shown to staff, never the
 * secret): up to two are configured at once so that a new one can be deployed before the old one runs out.
 */
export type ClientCredential =
  | { kind: "secret"; slot: "ENTRA_CLIENT_SECRET" | "ENTRA_CLIENT_SECRET_2"; secret: string; expiresAt: Date | null }
  | { kind: "certificate"; slot: "ENTRA_CLIENT_CERTIFICATE_PATH"; certificatePath: string; privateKeyPath: string }
  /** The app trusts this user-assigned managed identity through a federated credential: its token is the assertion. */
  | { kind: "managed-identity"; slot: "ENTRA_CLIENT_MANAGED_IDENTITY"; clientId: string }
  /** A certificate held in Key Vault (versionless: the latest version is used, and a new one picked up). */
  | { kind: "key-vault-certificate"; slot: "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT"; vaultUrl: string; name: string };

/** Who the portal is when it reads Key Vault: a managed identity of its host, or @azure/identity's DefaultAzureCredential. */
export type KeyVaultIdentity = { kind: "system" } | { kind: "user-assigned"; clientId: string } | { kind: "default" };

/**
 * A Key Vault reference in place of a secret's value (docs/protocol/identity.md R1), App Service's syntax:
 * `@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])`.
 */
export type KeyVaultReference = {
  variable: KeyVaultReferenceVariable;
  vaultUrl: string;
  name: string;
  version: string | null;
};

/** The variables whose value may be a Key Vault reference. */
export const KEY_VAULT_REFERENCE_VARIABLES = [
  "AUTH_SECRET",
  "WEBHOOK_SECRET",
  "SMTP_PASSWORD",
  "ENTRA_CLIENT_SECRET",
  "ENTRA_CLIENT_SECRET_2",
] as const;
export type KeyVaultReferenceVariable = (typeof KEY_VAULT_REFERENCE_VARIABLES)[number];
export const KEY_VAULT_REFERENCE_SYNTAX =
  "@Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])";

export type PortalConfig = {
  mode: "demo" | "production";
  branding: { appName: string; vendorName: string; supportEmail: string };
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** The portal's public origin, or null when it is taken from the request (demo). */
  publicUrl: string | null;
  /** A proxy in front sets X-Forwarded-Host / X-Forwarded-Proto: only then are they read (for the request's origin). */
  trustForwardedHeaders: boolean;
  sessionSecret: string;
  sessionMaxAgeSeconds: number;
  /** Destructive and setup actions need the user to have authenticated at Entra within this many seconds. */
  reauthMaxAgeSeconds: number;
  database: DatabaseTarget;
  entra: {
    authorityHost: string;
    /** null in demo mode when no Microsoft endpoint was configured: sign-in is then unavailable. */
    clientId: string | null;
    homeTenantId: string | null;
    /** One or two credentials, in configuration order (lib/entra/credentials.ts chooses which one to use). */
    credentials: ClientCredential[];
    tenancy: "multi" | "single";
    supportOperatorRole: string;
    /** Directory role template ids (`wids`) whose holders may change a customer tenant's connection. */
    customerAdminRoleIds: string[];
    /** The application permission the app requires of itself; only admin consent grants it (proof of admin consent). */
    consentAppRole: string;
    supportAdminRole: string;
  };
  dataverse: {
    roleName: string;
    rolePrivileges: RequiredPrivilege[];
    allowedHostSuffixes: string[];
    outboundTimeoutMs: number;
    /** Global Discovery of the configured cloud, or null when unknown (the environment picker is then off). */
    globalDiscoveryUrl: string | null;
  };
  /** Microsoft Graph of the configured cloud, for organisation names; null when unknown (domains are shown). */
  graphUrl: string | null;
  /** Demo only: the emulated Power Platform admin center, which the manual walkthrough links to. */
  demoAdminCenterUrl: string | null;
  /** Signed lifecycle-event webhooks (lib/webhooks/index.ts); null when WEBHOOK_URL is unset (off). */
  webhooks: { url: string; secret: string } | null;
  /** After Microsoft's answer said "granted", how long the portal waits for proof before the tenant is NOT_GRANTED again. */
  consentVerificationTimeoutMinutes: number;
  /** The ISV back end's API (/api/v1): requests per minute per calling application. */
  api: { rateLimitPerMinute: number };
  monitoring: {
    /** Every connected environment is re-verified once per interval, spread evenly over it; 0 = never. */
    recheckIntervalMinutes: number;
    /** Scheduled checks running at once in one worker process, and for one tenant. */
    concurrency: number;
    tenantConcurrency: number;
    /** Whether the portal process runs the queue's worker (off when `npm run worker` runs apart). */
    worker: "in-process" | "off";
  };
  /**
   * The commercial marketplace's SaaS offer (lib/subscriptions/): the Fulfillment API's base URL, the rule deciding
   * Microsoft's ChangePlan / ChangeQuantity requests (null = accept any plan / quantity), and after how long a
   * subscription never activated is shown as such.
   */
  marketplace: { apiUrl: string; acceptedPlans: string[] | null; maxQuantity: number | null; activationHours: number };
  /** Alerts by e-mail; null when SMTP_URL is not set (nothing is sent, alerts are still logged). */
  mail: { smtpUrl: string; from: string } | null;
  /** Key Vault: how the portal signs in to it, how often a Key Vault certificate is looked at for a new version. */
  keyVault: { identity: KeyVaultIdentity; refreshMinutes: number };
  /** Operations (lib/observability): metrics need their bearer token (null: /api/metrics answers 404, nothing is counted); traces go by OTLP/HTTP (null: off). */
  observability: {
    metricsToken: string | null;
    traces: { endpoint: string; headers: Record<string, string>; serviceName: string } | null;
  };
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

function isProductionIntended(env: Env): boolean {
  if (env.PORTAL_MODE?.trim()) return env.PORTAL_MODE.trim() === "production";
  return PRODUCTION_MARKERS.some((name) => (env[name] ?? "").trim() !== "");
}

/** Parses the given environment. Throws ConfigError naming the first bad variable. */
export function parseConfig(rawEnv: Env): PortalConfig {
  const env = withResolvedReferences(rawEnv);
  const parsed = rawSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "configuration");
    throw new ConfigError(
      variable,
      issue.message.startsWith("must") ? issue.message : `is malformed: ${issue.message}`,
    );
  }
  const v = parsed.data;
  const mode = isProductionIntended(env) ? "production" : "demo";
  const production = mode === "production";

  const require = <T>(name: string, value: T | undefined, hint: string): T => {
    if (value === undefined) throw new ConfigError(name, `is required outside demo mode (${hint})`);
    return value;
  };

  let database: DatabaseTarget;
  const databaseUrl = production
    ? require("DATABASE_URL", v.DATABASE_URL, "postgresql://user:password@host:5432/database")
    : (v.DATABASE_URL ?? DEFAULT_EMBEDDED_DATABASE_URL);
  try {
    database = parseDatabaseUrl(databaseUrl);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new ConfigError("DATABASE_URL", error.message);
    throw error;
  }

  const clientId = production
    ? require("ENTRA_CLIENT_ID", v.ENTRA_CLIENT_ID, "the app registration's Application (client) ID")
    : (v.ENTRA_CLIENT_ID ?? null);
  const homeTenantId = production
    ? require("ENTRA_HOME_TENANT_ID", v.ENTRA_HOME_TENANT_ID, "the Directory (tenant) ID where the app is registered")
    : (v.ENTRA_HOME_TENANT_ID ?? null);

  const credentials = parseCredentials(v, production, require);

  const allowedHostSuffixes = (v.DATAVERSE_ALLOWED_HOST_SUFFIXES ?? [...MICROSOFT_DATAVERSE_HOST_SUFFIXES]).map((s) =>
    s.toLowerCase().replace(/^\./, ""),
  );
  // `.localhost` names are resolved to loopback by the outbound client in demo mode only (the emulator's
  // environments); in production such a suffix would let environment URLs point at the portal's own host.
  const loopbackSuffix = allowedHostSuffixes.find((s) => s === "localhost" || s.endsWith(".localhost"));
  if (production && loopbackSuffix) {
    throw new ConfigError(
      "DATAVERSE_ALLOWED_HOST_SUFFIXES",
      `must not contain a .localhost suffix (${loopbackSuffix}) outside demo mode; .localhost names are loopback, for the demo's emulator only`,
    );
  }

  let webhooks: PortalConfig["webhooks"] = null;
  if (v.WEBHOOK_URL) {
    if (!v.WEBHOOK_SECRET)
      throw new ConfigError(
        "WEBHOOK_SECRET",
        "is required when WEBHOOK_URL is set (the key the events are signed with)",
      );
    if (production && !v.WEBHOOK_URL.startsWith("https:"))
      throw new ConfigError("WEBHOOK_URL", "must use https outside demo mode (the events name your customers)");
    webhooks = { url: v.WEBHOOK_URL, secret: v.WEBHOOK_SECRET };
  } else if (v.WEBHOOK_SECRET) {
    throw new ConfigError("WEBHOOK_URL", "is required when WEBHOOK_SECRET is set (where the events are sent)");
  }

  if (v.SMTP_PASSWORD && !v.SMTP_URL)
    throw new ConfigError("SMTP_URL", "is required when SMTP_PASSWORD is set (the server the password is for)");

  const sessionSecret = production
    ? require("AUTH_SECRET", v.AUTH_SECRET, "at least 32 random characters")
    : (v.AUTH_SECRET ?? demoSessionSecret());

  return {
    mode,
    branding: {
      appName: v.PORTAL_APP_NAME ?? "Northwind Sync",
      vendorName: v.PORTAL_VENDOR_NAME ?? "Northwind Traders",
      supportEmail: v.PORTAL_SUPPORT_EMAIL ?? "support@northwind.example",
    },
    port: v.PORT ?? 3000,
    logLevel: v.LOG_LEVEL ?? "info",
    publicUrl: production
      ? require("AUTH_URL", v.AUTH_URL, "the portal's public URL, e.g. https://onboarding.example.com")
      : (v.AUTH_URL ?? null),
    trustForwardedHeaders: v.TRUST_FORWARDED_HEADERS === "true",
    sessionSecret,
    sessionMaxAgeSeconds: Math.round((v.SESSION_MAX_AGE_HOURS ?? 8) * 3600),
    reauthMaxAgeSeconds: (v.REAUTH_MAX_AGE_MINUTES ?? 60) * 60,
    database,
    entra: {
      authorityHost: v.ENTRA_AUTHORITY_HOST ?? "https://login.microsoftonline.com",
      clientId,
      homeTenantId,
      credentials,
      tenancy: v.TENANCY_MODE ?? "multi",
      supportOperatorRole: v.SUPPORT_OPERATOR_ROLE ?? "Support.Operator",
      customerAdminRoleIds: v.CUSTOMER_ADMIN_ROLE_IDS ?? [...DEFAULT_CUSTOMER_ADMIN_ROLE_IDS],
      consentAppRole: v.ENTRA_CONSENT_APP_ROLE ?? "Tenant.Connect",
      supportAdminRole: v.SUPPORT_ADMIN_ROLE ?? "Support.Admin",
    },
    dataverse: {
      roleName: v.DATAVERSE_ROLE_NAME ?? DEFAULT_ROLE_NAME,
      rolePrivileges: v.DATAVERSE_ROLE_PRIVILEGES ?? [...DEFAULT_ROLE_PRIVILEGES],
      allowedHostSuffixes,
      outboundTimeoutMs: v.OUTBOUND_TIMEOUT_MS ?? 15_000,
      globalDiscoveryUrl:
        v.GLOBAL_DISCOVERY_URL ??
        GLOBAL_DISCOVERY_BY_AUTHORITY[new URL(v.ENTRA_AUTHORITY_HOST ?? "https://login.microsoftonline.com").host] ??
        null,
    },
    graphUrl:
      v.GRAPH_URL ??
      GRAPH_BY_AUTHORITY[new URL(v.ENTRA_AUTHORITY_HOST ?? "https://login.microsoftonline.com").host] ??
      null,
    demoAdminCenterUrl: production ? null : (v.DEMO_ADMIN_CENTER_URL ?? null),
    webhooks,
    consentVerificationTimeoutMinutes: v.CONSENT_VERIFICATION_TIMEOUT_MINUTES ?? 15,
    api: { rateLimitPerMinute: v.API_RATE_LIMIT_PER_MINUTE ?? 120 },
    monitoring: {
      recheckIntervalMinutes: v.RECHECK_INTERVAL_MINUTES ?? 60,
      concurrency: v.RECHECK_CONCURRENCY ?? 20,
      tenantConcurrency: v.RECHECK_TENANT_CONCURRENCY ?? 4,
      worker: v.RECHECK_WORKER ?? "in-process",
    },
    marketplace: {
      apiUrl: v.MARKETPLACE_API_URL ?? "https://marketplaceapi.microsoft.com/api",
      acceptedPlans: v.MARKETPLACE_ACCEPTED_PLANS ?? null,
      maxQuantity: v.MARKETPLACE_MAX_QUANTITY ?? null,
      activationHours: v.MARKETPLACE_ACTIVATION_HOURS ?? 24,
    },
    mail: v.SMTP_URL
      ? {
          smtpUrl: smtpUrlWithPassword(v.SMTP_URL, v.SMTP_PASSWORD),
          from: v.EMAIL_FROM ?? `no-reply@${(v.PORTAL_SUPPORT_EMAIL ?? "support@northwind.example").split("@")[1]}`,
        }
      : null,
    keyVault: { identity: keyVaultIdentityOf(v), refreshMinutes: v.KEY_VAULT_REFRESH_MINUTES ?? 60 },
    observability: {
      metricsToken: v.METRICS_TOKEN ?? null,
      traces: v.OTEL_EXPORTER_OTLP_ENDPOINT
        ? {
            endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, ""),
            headers: v.OTEL_EXPORTER_OTLP_HEADERS ?? {},
            serviceName: v.OTEL_SERVICE_NAME ?? "tenant-onboarding-portal",
          }
        : null,
    },
  };
}

/**
 * The app's credentials: a secret, a second secret and/or a certificate — at most two at once, so that a new one
 * can be deployed while the old one still works (rotation without downtime).
 */
function parseCredentials(
  v: z.output<typeof rawSchema>,
  production: boolean,
  require: <T>(name: string, value: T | undefined, hint: string) => T,
): ClientCredential[] {
  if (v.ENTRA_CLIENT_SECRET_EXPIRES_AT && !v.ENTRA_CLIENT_SECRET)
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET_EXPIRES_AT",
      "is set but ENTRA_CLIENT_SECRET is not (the expiry of which secret?)",
    );
  if (v.ENTRA_CLIENT_SECRET_2_EXPIRES_AT && !v.ENTRA_CLIENT_SECRET_2)
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET_2_EXPIRES_AT",
      "is set but ENTRA_CLIENT_SECRET_2 is not (the expiry of which secret?)",
    );
  if (v.ENTRA_CLIENT_PRIVATE_KEY_PATH && !v.ENTRA_CLIENT_CERTIFICATE_PATH)
    throw new ConfigError(
      "ENTRA_CLIENT_CERTIFICATE_PATH",
      "is required when ENTRA_CLIENT_PRIVATE_KEY_PATH is set (the certificate of that key)",
    );
  if (v.ENTRA_CLIENT_SECRET_2 && !v.ENTRA_CLIENT_SECRET && !v.ENTRA_CLIENT_CERTIFICATE_PATH) {
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET_2",
      "is the second credential: set ENTRA_CLIENT_SECRET (or a certificate) as the first",
    );
  }
  if (v.ENTRA_CLIENT_SECRET && v.ENTRA_CLIENT_SECRET_2 && v.ENTRA_CLIENT_CERTIFICATE_PATH) {
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET_2",
      "makes three credentials with ENTRA_CLIENT_SECRET and ENTRA_CLIENT_CERTIFICATE_PATH; configure at most two (the current one and its replacement)",
    );
  }
  const kinds = (
    [
      "ENTRA_CLIENT_MANAGED_IDENTITY",
      "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT",
      "ENTRA_CLIENT_CERTIFICATE_PATH",
      "ENTRA_CLIENT_SECRET",
      "ENTRA_CLIENT_SECRET_2",
    ] as const
  ).filter((name) => v[name] !== undefined);
  if (kinds.length > 2)
    throw new ConfigError(
      kinds[2]!,
      `makes three credentials with ${kinds[0]} and ${kinds[1]}; configure at most two (the one to use and its fallback)`,
    );
  if (v.ENTRA_CLIENT_SECRET && v.ENTRA_CLIENT_SECRET === v.ENTRA_CLIENT_SECRET_2)
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET_2",
      "is the same value as ENTRA_CLIENT_SECRET; the second secret must be another secret of the app registration",
    );
  const credentials: ClientCredential[] = [];
  const expiry = (value: string | undefined) => (value ? new Date(value) : null);
  if (v.ENTRA_CLIENT_MANAGED_IDENTITY)
    credentials.push({
      kind: "managed-identity",
      slot: "ENTRA_CLIENT_MANAGED_IDENTITY",
      clientId: v.ENTRA_CLIENT_MANAGED_IDENTITY,
    });
  if (v.ENTRA_CLIENT_CERTIFICATE_KEY_VAULT) {
    if (production && new URL(v.ENTRA_CLIENT_CERTIFICATE_KEY_VAULT.vaultUrl).hostname.endsWith(".localhost")) {
      throw new ConfigError("ENTRA_CLIENT_CERTIFICATE_KEY_VAULT", "must not name a .localhost vault outside demo mode");
    }
    credentials.push({
      kind: "key-vault-certificate",
      slot: "ENTRA_CLIENT_CERTIFICATE_KEY_VAULT",
      ...v.ENTRA_CLIENT_CERTIFICATE_KEY_VAULT,
    });
  }
  if (v.ENTRA_CLIENT_CERTIFICATE_PATH) {
    credentials.push({
      kind: "certificate",
      slot: "ENTRA_CLIENT_CERTIFICATE_PATH",
      certificatePath: v.ENTRA_CLIENT_CERTIFICATE_PATH,
      privateKeyPath: require("ENTRA_CLIENT_PRIVATE_KEY_PATH", v.ENTRA_CLIENT_PRIVATE_KEY_PATH, "the PEM private key of the certificate"),
    });
  }
  if (v.ENTRA_CLIENT_SECRET)
    credentials.push({
      kind: "secret",
      slot: "ENTRA_CLIENT_SECRET",
      secret: v.ENTRA_CLIENT_SECRET,
      expiresAt: expiry(v.ENTRA_CLIENT_SECRET_EXPIRES_AT),
    });
  if (v.ENTRA_CLIENT_SECRET_2)
    credentials.push({
      kind: "secret",
      slot: "ENTRA_CLIENT_SECRET_2",
      secret: v.ENTRA_CLIENT_SECRET_2,
      expiresAt: expiry(v.ENTRA_CLIENT_SECRET_2_EXPIRES_AT),
    });
  if (credentials.length === 0 && production) {
    throw new ConfigError(
      "ENTRA_CLIENT_SECRET",
      "is required outside demo mode (or set ENTRA_CLIENT_MANAGED_IDENTITY, ENTRA_CLIENT_CERTIFICATE_KEY_VAULT, or ENTRA_CLIENT_CERTIFICATE_PATH and ENTRA_CLIENT_PRIVATE_KEY_PATH)",
    );
  }
  return credentials;
}

/**
 * A demo session lasts as long as the process, so a fresh secret per start is fine — but one per process,
 * not per module instance: Next.js may load this module once per bundle (pages, route handlers), and a
 * state cookie sealed by a server action must open in the auth callback route.
 */
function demoSessionSecret(): string {
  const holder = globalThis as unknown as { portalDemoSessionSecret?: string };
  holder.portalDemoSessionSecret ??= randomBytes(32).toString("base64url");
  return holder.portalDemoSessionSecret;
}

/** SMTP_URL with SMTP_PASSWORD as its password (so that the password can be a Key Vault reference). */
function smtpUrlWithPassword(smtpUrl: string, password: string | undefined): string {
  if (password === undefined) return smtpUrl;
  const url = new URL(smtpUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}

let cached: PortalConfig | undefined;

/** Reads process.env again (a script that changes its own configuration between runs: the bench). */
export function reloadConfig(): PortalConfig {
  cached = undefined;
  return config();
}

/**
 * Forgets the configuration read so far: the next config() reads process.env again. For tests, which change
 * process.env between files and tests (tests/support/config.ts setTestEnv); the portal reads it once.
 */
export function resetConfigForTests(): void {
  cached = undefined;
}

/** The portal's configuration, read from process.env once. */
export function config(): PortalConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Whether sign-in can be offered (in demo mode it needs the emulator's endpoints). */
export function signInAvailable(c: PortalConfig = config()): boolean {
  return c.entra.clientId !== null && c.entra.homeTenantId !== null && c.entra.credentials.length > 0;
}

/** The portal is served over https (AUTH_URL says so): Secure `__Host-` cookies and HSTS. */
export function servedOverHttps(c: PortalConfig = config()): boolean {
  return c.publicUrl?.startsWith("https:") ?? false;
}
