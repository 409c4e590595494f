/**
 * Azure Key Vault's data plane for secrets and certificates (docs/protocol/identity.md V1–V9), one vault per host
 * https://<vault>.vault.localhost:PORT:
 *
 *   GET /secrets/{name}[/{version}]         a secret bundle (a certificate's PEM with its private key: `managed`)
 *   GET /secrets/{name}/versions            its versions, without values
 *   PUT /secrets/{name}                     a new version
 *   GET /certificates/{name}[/{version}]    a certificate bundle (x5t, cer, attributes, policy)
 *   GET /certificates/{name}/versions
 *
 * Every request needs `api-version`; a request without a bearer token gets the 401 challenge that tells the SDK
 * which authority and resource to get a token for; a token for another audience or tenant is refused (401); a
 * caller without a role assignment (RBAC) or access policy gets 403; a missing object 404 — each in Key Vault's
 * error shape `{"error":{"code","message","innererror"?}}`.
 */
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { decodeJwt } from "jose";
import type { EmulatorContext } from "./context";
import { sameGuid } from "./guid";
import { header, jsonResponse } from "./http";
import type { EmulatorRequest, EmulatorResponse } from "./http";
import { VAULT_RESOURCE, vaultOrigin } from "./hosts";
import type { KeyVault, VaultRole } from "./scenario";

type Action = "secrets/getSecret" | "secrets/readMetadata" | "secrets/setSecret" | "certificates/read";
type PolicyPermission = { collection: "secrets" | "certificates"; permission: "get" | "list" | "set" };

/** The data actions each built-in role allows (docs/protocol/identity.md V6). */
const ROLE_ACTIONS: Record<VaultRole, Action[]> = {
  "Key Vault Administrator": ["secrets/getSecret", "secrets/readMetadata", "secrets/setSecret", "certificates/read"],
  "Key Vault Secrets Officer": ["secrets/getSecret", "secrets/readMetadata", "secrets/setSecret"],
  "Key Vault Secrets User": ["secrets/getSecret", "secrets/readMetadata"],
  // "… excluding reading the secret and key portions" (docs/protocol/identity.md V6).
  "Key Vault Certificates Officer": ["certificates/read"],
  "Key Vault Certificate User": ["certificates/read", "secrets/getSecret", "secrets/readMetadata"],
  "Key Vault Reader": ["secrets/readMetadata", "certificates/read"],
};

const ACTION_POLICY: Record<Action, PolicyPermission> = {
  "secrets/getSecret": { collection: "secrets", permission: "get" },
  "secrets/readMetadata": { collection: "secrets", permission: "list" },
  "secrets/setSecret": { collection: "secrets", permission: "set" },
  "certificates/read": { collection: "certificates", permission: "get" },
};

const RECOVERY = { recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 };

function vaultError(
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return jsonResponse(status, { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } }, headers);
}

export function newVaultVersion(): string {
  return randomBytes(16).toString("hex");
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** What a 401 says: where to get a token, and for which resource (docs/protocol/identity.md V2). */
function challenge(ctx: EmulatorContext, vault: KeyVault, message: string): EmulatorResponse {
  return vaultError(401, "Unauthorized", message, undefined, {
    "www-authenticate": `Bearer authorization="${ctx.state.authority}/${vault.tenantId}", resource="${VAULT_RESOURCE}"`,
  });
}

type Caller = { oid: string; appid: string; iss: string };

async function authenticate(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  vault: KeyVault,
): Promise<Caller | EmulatorResponse> {
  const value = header(req, "authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (!match?.[1]) return challenge(ctx, vault, "AKV10000: Request is missing a Bearer or PoP token.");
  const token = match[1];
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token) as Record<string, unknown>;
    await ctx.signer.verify(token, 100 * 365 * 24 * 3600);
  } catch {
    return challenge(ctx, vault, "AKV10031: Invalid token signature.");
  }
  const aud = typeof claims.aud === "string" ? claims.aud.replace(/\/+$/, "") : String(claims.aud);
  if (aud.toLowerCase() !== VAULT_RESOURCE)
    return challenge(ctx, vault, `AKV10022: Invalid audience. Expected ${VAULT_RESOURCE}, found: ${aud}.`);
  const issuers = [`https://sts.windows.net/${vault.tenantId}/`, `${ctx.state.authority}/${vault.tenantId}/v2.0`];
  const iss = typeof claims.iss === "string" ? claims.iss : "";
  if (!issuers.includes(iss))
    return challenge(ctx, vault, `AKV10032: Invalid issuer. Expected one of ${issuers.join(", ")}, found ${iss}.`);
  const exp = typeof claims.exp === "number" ? claims.exp : 0;
  if (exp <= nowSeconds()) return challenge(ctx, vault, "AKV10013: Token has expired.");
  const appid = typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : "";
  return { oid: typeof claims.oid === "string" ? claims.oid : "", appid, iss };
}

/** 403 unless the caller's role assignments (or access policy) allow the action (docs/protocol/identity.md V6). */
function authorize(vault: KeyVault, caller: Caller, action: Action, objectPath: string): EmulatorResponse | null {
  if (vault.permissionModel === "rbac") {
    const roles = vault.roleAssignments.filter((a) => sameGuid(a.principalId, caller.oid)).map((a) => a.role);
    if (roles.some((r) => ROLE_ACTIONS[r].includes(action))) return null;
    return vaultError(
      403,
      "Forbidden",
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${caller.appid};oid=${caller.oid};iss=${caller.iss}\r\nAction: 'Microsoft.KeyVault/vaults/${action}${action.endsWith("/read") ? "" : "/action"}'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/portal/providers/microsoft.keyvault/vaults/${vault.name}/${objectPath.toLowerCase()}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault.name};location=${vault.location}\r\n`,
      "ForbiddenByRbac",
    );
  }
  const { collection, permission } = ACTION_POLICY[action];
  const policy = vault.accessPolicies.find((p) => sameGuid(p.objectId, caller.oid));
  const granted: string[] = policy ? (collection === "secrets" ? policy.secrets : policy.certificates) : [];
  if (granted.includes(permission)) return null;
  return vaultError(
    403,
    "Forbidden",
    `The user, group or application 'appid=${caller.appid};oid=${caller.oid};iss=${caller.iss}' does not have ${collection} ${permission} permission on key vault '${vault.name};location=${vault.location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    "AccessDenied",
  );
}

function secretNotFound(name: string): EmulatorResponse {
  return vaultError(
    404,
    "SecretNotFound",
    `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

function certificateNotFound(name: string): EmulatorResponse {
  return vaultError(404, "CertificateNotFound", `Certificate not found: ${name}`);
}

function der(certPem: string): Buffer {
  return new X509Certificate(certPem).raw;
}

function certificateDates(certPem: string): { nbf: number; exp: number; subject: string } {
  const x509 = new X509Certificate(certPem);
  return {
    nbf: Math.floor(Date.parse(x509.validFrom) / 1000),
    exp: Math.floor(Date.parse(x509.validTo) / 1000),
    subject: x509.subject.replace(/\n/g, ", "),
  };
}

export async function handleKeyVault(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  vaultName: string,
): Promise<EmulatorResponse> {
  req.log.kind = "keyvault";
  const vault = ctx.state.scenario.keyVaults.find((v) => v.name === vaultName);
  if (!vault)
    return jsonResponse(404, {
      error: { code: "VaultNotFound", message: `No vault named '${vaultName}' is emulated.` },
    });
  req.log.tenantId = vault.tenantId;
  // "Clients must use the api-version query string parameter ... as there is no default" ([U] status and words).
  if (!req.url.searchParams.get("api-version"))
    return vaultError(400, "BadParameter", "The 'api-version' query parameter is required.");
  const caller = await authenticate(ctx, req, vault);
  if ("status" in caller) return caller;
  req.log.tokenOid = caller.oid;
  req.log.tokenAppId = caller.appid;

  const segments = req.url.pathname.split("/").filter(Boolean);
  const [collection, rawName, third] = segments;
  const name = rawName ?? "";
  if (segments.length < 2 || segments.length > 3 || (collection !== "secrets" && collection !== "certificates")) {
    return vaultError(404, "NotFound", `The resource '${req.url.pathname}' does not exist in this vault.`);
  }
  const origin = vaultOrigin(vault.name, ctx.state.port);
  if (collection === "secrets") {
    if (req.method === "PUT" && segments.length === 2) return setSecret(req, vault, caller, name, origin);
    if (req.method !== "GET")
      return vaultError(405, "MethodNotAllowed", `The method ${req.method} is not allowed on this resource.`);
    if (third?.toLowerCase() === "versions") {
      const denied = authorize(vault, caller, "secrets/readMetadata", `secrets/${name}`);
      if (denied) return denied;
      return secretVersions(vault, name, origin);
    }
    const denied = authorize(vault, caller, "secrets/getSecret", `secrets/${name}`);
    if (denied) return denied;
    return getSecret(vault, name, third ?? null, origin);
  }
  if (req.method !== "GET")
    return vaultError(405, "MethodNotAllowed", `The method ${req.method} is not allowed on this resource.`);
  const denied = authorize(vault, caller, "certificates/read", `certificates/${name}`);
  if (denied) return denied;
  if (third?.toLowerCase() === "versions") return certificateVersions(vault, name, origin);
  return getCertificate(vault, name, third ?? null, origin);
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function getSecret(vault: KeyVault, name: string, version: string | null, origin: string): EmulatorResponse {
  const secret = vault.secrets.find((s) => sameName(s.name, name));
  if (secret) {
    const found = version ? secret.versions.find((v) => v.version === version.toLowerCase()) : secret.versions.at(-1);
    if (!found) return secretNotFound(version ? `${name}/${version}` : name);
    if (!found.enabled)
      return vaultError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled");
    return jsonResponse(200, {
      value: found.value,
      ...(found.contentType !== undefined ? { contentType: found.contentType } : {}),
      id: `${origin}/secrets/${secret.name}/${found.version}`,
      attributes: {
        enabled: found.enabled,
        ...(found.nbf !== undefined ? { nbf: found.nbf } : {}),
        ...(found.exp !== undefined ? { exp: found.exp } : {}),
        created: found.created,
        updated: found.updated,
        ...RECOVERY,
      },
      tags: found.tags,
    });
  }
  // A certificate's secret: its certificate and private key, PEM (docs/protocol/identity.md V8).
  const certificate = vault.certificates.find((c) => sameName(c.name, name));
  const found =
    certificate &&
    (version ? certificate.versions.find((v) => v.version === version.toLowerCase()) : certificate.versions.at(-1));
  if (!certificate || !found) return secretNotFound(version ? `${name}/${version}` : name);
  const dates = certificateDates(found.certPem);
  return jsonResponse(200, {
    value: `${found.keyPem.trim()}\n${found.certPem.trim()}\n`,
    contentType: "application/x-pem-file",
    id: `${origin}/secrets/${certificate.name}/${found.version}`,
    managed: true,
    attributes: {
      enabled: found.enabled,
      nbf: dates.nbf,
      exp: dates.exp,
      created: found.created,
      updated: found.updated,
      ...RECOVERY,
    },
    tags: {},
    kid: `${origin}/keys/${certificate.name}/${found.version}`,
  });
}

function secretVersions(vault: KeyVault, name: string, origin: string): EmulatorResponse {
  const secret = vault.secrets.find((s) => sameName(s.name, name));
  if (!secret) return secretNotFound(name);
  return jsonResponse(200, {
    value: secret.versions.map((v) => ({
      id: `${origin}/secrets/${secret.name}/${v.version}`,
      attributes: { enabled: v.enabled, created: v.created, updated: v.updated, ...RECOVERY },
      ...(v.contentType !== undefined ? { contentType: v.contentType } : {}),
      tags: v.tags,
    })),
    nextLink: null,
  });
}

function setSecret(
  req: EmulatorRequest,
  vault: KeyVault,
  caller: Caller,
  name: string,
  origin: string,
): EmulatorResponse {
  const denied = authorize(vault, caller, "secrets/setSecret", `secrets/${name}`);
  if (denied) return denied;
  let body: { value?: unknown; contentType?: unknown; attributes?: { enabled?: unknown }; tags?: unknown };
  try {
    body = JSON.parse(req.body.toString("utf8")) as typeof body;
  } catch {
    return vaultError(400, "BadParameter", "The request body is not valid JSON.");
  }
  if (typeof body.value !== "string") return vaultError(400, "BadParameter", "Property 'value' is required.");
  if (vault.certificates.some((c) => sameName(c.name, name)))
    return vaultError(409, "Conflict", `Secret ${name} is managed by a certificate and cannot be set.`);
  const now = nowSeconds();
  const version = {
    version: newVaultVersion(),
    value: body.value,
    ...(typeof body.contentType === "string" ? { contentType: body.contentType } : {}),
    enabled: body.attributes?.enabled !== false,
    created: now,
    updated: now,
    tags: typeof body.tags === "object" && body.tags !== null ? (body.tags as Record<string, string>) : {},
  };
  const existing = vault.secrets.find((s) => sameName(s.name, name));
  if (existing) existing.versions.push(version);
  else vault.secrets.push({ name, versions: [version] });
  return getSecret(vault, name, version.version, origin);
}

function certificateBundle(
  name: string,
  v: KeyVault["certificates"][number]["versions"][number],
  origin: string,
  withPolicy: boolean,
) {
  const raw = der(v.certPem);
  const dates = certificateDates(v.certPem);
  return {
    id: `${origin}/certificates/${name}/${v.version}`,
    kid: `${origin}/keys/${name}/${v.version}`,
    sid: `${origin}/secrets/${name}/${v.version}`,
    x5t: createHash("sha1").update(raw).digest("base64url"),
    cer: raw.toString("base64"),
    attributes: {
      enabled: v.enabled,
      nbf: dates.nbf,
      exp: dates.exp,
      created: v.created,
      updated: v.updated,
      ...RECOVERY,
    },
    ...(withPolicy
      ? {
          policy: {
            id: `${origin}/certificates/${name}/policy`,
            key_props: { exportable: true, kty: "RSA", key_size: 2048, reuse_key: false },
            secret_props: { contentType: "application/x-pem-file" },
            x509_props: { subject: dates.subject, key_usage: ["digitalSignature"], validity_months: 12 },
            issuer: { name: "Self" },
            attributes: { enabled: true, created: v.created, updated: v.updated },
          },
        }
      : {}),
    tags: {},
  };
}

function getCertificate(vault: KeyVault, name: string, version: string | null, origin: string): EmulatorResponse {
  const certificate = vault.certificates.find((c) => sameName(c.name, name));
  const found =
    certificate &&
    (version ? certificate.versions.find((v) => v.version === version.toLowerCase()) : certificate.versions.at(-1));
  if (!certificate || !found) return certificateNotFound(version ? `${name}/${version}` : name);
  return jsonResponse(200, certificateBundle(certificate.name, found, origin, version === null));
}

function certificateVersions(vault: KeyVault, name: string, origin: string): EmulatorResponse {
  const certificate = vault.certificates.find((c) => sameName(c.name, name));
  if (!certificate) return certificateNotFound(name);
  return jsonResponse(200, {
    value: certificate.versions.map((v) => {
      const bundle = certificateBundle(certificate.name, v, origin, false);
      return { id: bundle.id, attributes: bundle.attributes, tags: {}, x5t: bundle.x5t };
    }),
    nextLink: null,
  });
}
