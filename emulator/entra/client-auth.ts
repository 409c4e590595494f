/**
 * Confidential-client authentication at the token endpoint (docs/protocol/entra.md A4, C6, C13):
 * - client_secret in the body (client_secret_post)
 * - HTTP Basic per RFC 6749 §2.3.1: base64(urlencode(client_id) ":" urlencode(secret))
 * - client_assertion JWT (private_key_jwt): RS256 with `x5t` (SHA-1 thumbprint) or PS256 with
 *   `x5t#S256`; aud = the target tenant's token endpoint; iss = sub = client_id; exp required.
 * - client_assertion issued by another issuer (no certificate thumbprint): a federated identity credential
 *   (federated.ts, docs/protocol/identity.md F3).
 */
import { compactVerify, decodeJwt, decodeProtectedHeader, importX509 } from "jose";
import type { EntraErrorName } from "../errors";
import { header } from "../http";
import type { EmulatorRequest } from "../http";
import type { ClientAuthMethod } from "../request-log";
import type { AppRegistration, ClientCertificate, Settings } from "../scenario";
import type { AppIdAcr } from "./claims";
import { verifyFederatedAssertion } from "./federated";
import type { FederatedContext } from "./federated";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface BasicCredentials {
  clientId: string;
  secret: string;
}

export type ClientAuthFailure = { ok: false; error: EntraErrorName; params: Record<string, string> };
export type ClientAuthResult =
  { ok: true; method: ClientAuthMethod; appidacr: AppIdAcr; certificateThumbprint?: string } | ClientAuthFailure;

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/** Parses `Authorization: Basic …`; undefined when absent, null when malformed. */
export function parseBasicAuth(req: EmulatorRequest): BasicCredentials | null | undefined {
  const value = header(req, "authorization");
  if (!value || !/^basic\s/i.test(value)) return undefined;
  try {
    const decoded = Buffer.from(value.replace(/^basic\s+/i, ""), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

export interface ClientAuthContext {
  /** The app registration being authenticated: the ISV's app or a client app (only its credentials count). */
  app: Pick<AppRegistration, "clientId" | "secrets" | "certificates">;
  settings: Settings;
  /** Accepted `aud` values of a client assertion: this tenant's token endpoints. */
  tokenEndpoints: string[];
  /** The ISV app's federated identity credentials (absent for client apps: they have none). */
  federated?: FederatedContext;
}

function fail(error: EntraErrorName, params: Record<string, string> = {}): ClientAuthFailure {
  return { ok: false, error, params };
}

export async function authenticateClient(
  form: URLSearchParams,
  basic: BasicCredentials | undefined,
  ctx: ClientAuthContext,
): Promise<ClientAuthResult> {
  const bodySecret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  const presented: ClientAuthMethod[] = [];
  if (bodySecret !== null) presented.push("client_secret_post");
  if (basic) presented.push("client_secret_basic");
  if (assertion !== null) presented.push("private_key_jwt");
  if (presented.length === 0) return fail("missingClientCredential");
  if (presented.length > 1) return fail("conflictingClientAuth", { methods: presented.join(", ") });

  if (assertion !== null) {
    const type = form.get("client_assertion_type");
    if (type === null) return fail("missingParameter", { name: "client_assertion_type" });
    if (type !== JWT_BEARER_ASSERTION_TYPE) return fail("invalidParameter", { name: "client_assertion_type" });
    return verifyClientAssertion(assertion, ctx);
  }
  const secret = bodySecret ?? basic?.secret ?? "";
  return verifySecret(secret, presented[0] ?? "client_secret_post", ctx);
}

function verifySecret(secret: string, method: ClientAuthMethod, ctx: ClientAuthContext): ClientAuthResult {
  const now = Date.now();
  const match = ctx.app.secrets.find((s) => s.value === secret);
  // Pasting the secret ID instead of the value (docs/protocol/pitfalls.md C6) is just a wrong secret: 7000215.
  if (!match) return fail("invalidClientSecret", { clientId: ctx.app.clientId });
  if (Date.parse(match.expiresAt) <= now) return fail("expiredClientSecret", { clientId: ctx.app.clientId });
  if (match.startsAt && Date.parse(match.startsAt) > now)
    return fail("invalidClientSecret", { clientId: ctx.app.clientId });
  return { ok: true, method, appidacr: "1" };
}

function hexToBase64url(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64url");
}

function findCertificate(
  app: ClientAuthContext["app"],
  headerParams: Record<string, unknown>,
): ClientCertificate | undefined {
  const s256 = headerParams["x5t#S256"];
  const s1 = headerParams.x5t;
  return app.certificates.find(
    (c) =>
      (typeof s256 === "string" && hexToBase64url(c.thumbprintSha256) === s256) ||
      (typeof s1 === "string" && hexToBase64url(c.thumbprintSha1) === s1),
  );
}

function thumbprintHex(headerParams: Record<string, unknown>): string {
  const value = headerParams["x5t#S256"] ?? headerParams.x5t;
  if (typeof value !== "string") return "";
  try {
    return Buffer.from(value, "base64url").toString("hex").toUpperCase();
  } catch {
    return "";
  }
}

function assertionFailure(detail: string): ClientAuthFailure {
  return fail("invalidClientAssertion", { detail });
}

async function verifyClientAssertion(assertion: string, ctx: ClientAuthContext): Promise<ClientAuthResult> {
  let headerParams: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    headerParams = decodeProtectedHeader(assertion) as Record<string, unknown>;
    claims = decodeJwt(assertion) as Record<string, unknown>;
  } catch {
    return assertionFailure(
      "Client assertion failed signature validation. [Reason - The client assertion is not a well-formed JWT.]",
    );
  }
  // An assertion without a certificate thumbprint that the app did not issue itself is a federated one.
  if (
    ctx.federated &&
    headerParams.x5t === undefined &&
    headerParams["x5t#S256"] === undefined &&
    claims.iss !== ctx.app.clientId
  ) {
    const federated = await verifyFederatedAssertion(assertion, claims, ctx.federated);
    return federated.ok
      ? { ok: true, method: "federated_assertion", appidacr: "2" }
      : fail(federated.error, federated.params);
  }
  const alg = headerParams.alg;
  if (alg !== "RS256" && alg !== "PS256") {
    return assertionFailure(
      `Client assertion contains an invalid signature. [Reason - Unsupported asymmetric signing algorithm '${String(alg)}'. Only RSA keys (RS256, PS256) are supported.]`,
    );
  }
  const thumbprint = thumbprintHex(headerParams);
  const certificate = findCertificate(ctx.app, headerParams);
  if (!certificate) {
    return assertionFailure(
      `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${ctx.app.clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/api/application-get to learn how to retrieve the keys.]`,
    );
  }
  const now = Date.now();
  if (Date.parse(certificate.expiresAt) <= now || (certificate.startsAt && Date.parse(certificate.startsAt) > now)) {
    return assertionFailure(
      `Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${certificate.startsAt ?? ""}, End=${certificate.expiresAt}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${ctx.app.clientId}'.]`,
    );
  }
  try {
    const key = await importX509(certificate.certPem, alg);
    await compactVerify(assertion, key, { algorithms: [alg] });
  } catch {
    return assertionFailure(
      `Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${thumbprint}', Found key 'Start=${certificate.startsAt ?? ""}, End=${certificate.expiresAt}']`,
    );
  }
  if (claims.iss !== ctx.app.clientId) {
    return assertionFailure(
      `The issuer claim of the client assertion '${String(claims.iss)}' does not match the client_id '${ctx.app.clientId}'.`,
    );
  }
  if (claims.sub !== claims.iss) return fail("assertionSubjectMismatch", { clientId: ctx.app.clientId });
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = ctx.tokenEndpoints.map((e) => e.toLowerCase());
  if (!audiences.some((a) => typeof a === "string" && accepted.includes(a.toLowerCase()))) {
    return assertionFailure(
      `The audience claim value '${audiences.map(String).join(", ")}' of the client assertion is invalid. It must be the token endpoint of the tenant: '${ctx.tokenEndpoints[0] ?? ""}'.`,
    );
  }
  const skew = ctx.settings.assertionClockSkewSeconds;
  const nowSec = Math.floor(now / 1000);
  const exp = typeof claims.exp === "number" ? claims.exp : undefined;
  const nbf = typeof claims.nbf === "number" ? claims.nbf : undefined;
  if (exp === undefined || exp + skew < nowSec || (nbf !== undefined && nbf - skew > nowSec)) {
    return fail("clientAssertionTimeRange", {
      now: new Date(now).toISOString(),
      nbf: nbf === undefined ? "" : new Date(nbf * 1000).toISOString(),
      exp: exp === undefined ? "(missing)" : new Date(exp * 1000).toISOString(),
    });
  }
  return {
    ok: true,
    method: "private_key_jwt",
    appidacr: "2",
    certificateThumbprint: certificate.thumbprintSha1.toUpperCase(),
  };
}
