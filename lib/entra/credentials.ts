import "server-only";

// Which of the app's credentials to present to Entra ID (rotation without downtime): up to two are configured
// (lib/config.ts); the newest valid one is used — a managed identity (which never expires) first, then the one that
// expires last — and when Entra rejects it (AADSTS7000215 invalid secret, 7000222 expired secret, 700027
// certificate/assertion not valid, 70021/7002xx no matching federated credential, 700024 assertion out of its time
// range) the request is sent once more with the other one (lib/entra/msal.ts, lib/entra/delegated.ts,
// lib/auth/next-auth.ts).
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ClientCredential } from "@/lib/config";
import {
  currentVaultCertificate,
  loadVaultCertificate,
  refreshVaultCertificate,
  watchVaultCertificates,
} from "@/lib/vault/certificate";

/** Entra's answers that say "this credential of the app is not valid", so another credential may work. */
export const CREDENTIAL_REJECTION_CODES: ReadonlySet<number> = new Set([
  7000215, 7000222, 700027, 700024, 70021, 700211, 700212, 700213, 7002138, 700226,
]);

/**
 * How long a credential Entra rejected is avoided by this process. A rejected secret or certificate does not
 * become valid again by itself — an operator has to add it to the app registration again (or fix the clock) —
 * so a retry every few seconds would only double the token requests of every check. One hour is the life of an
 * app-only token: the cache of the good credential keeps serving checks meanwhile, and an operator who fixed the
 * registration sees the credential in use again within the hour, without a restart.
 */
export const REJECTION_AVOID_MS = 60 * 60 * 1000;

/** A credential as this module sees it: its stable, non-secret id, its expiry and the configured value. */
export type KnownCredential = {
  /**
   * `secret:<first 16 hex of SHA-256 of the value>`, `certificate:<SHA-1 thumbprint>`, `managed-identity:<client id>`
   * or `key-vault-certificate:<SHA-1 thumbprint of the version in use>`: the same on every replica, reveals nothing.
   */
  id: string;
  credential: ClientCredential;
  expiresAt: Date | null;
  /** A managed identity: nothing to expire. */
  neverExpires?: true;
  /** Set when the certificate file (or the Key Vault certificate) could not be read. */
  unreadable?: true;
  /** A Key Vault certificate: the version in use. */
  version?: string;
};

type Rejection = { at: Date; code: number };
const holder = globalThis as unknown as { portalCredentialRejections?: Map<string, Rejection> };
const rejections = (holder.portalCredentialRejections ??= new Map());

function readCertificateInfo(path: string): { thumbprint: string; validTo: Date } {
  const cert = new X509Certificate(readFileSync(path));
  return { thumbprint: cert.fingerprint.replace(/:/g, ""), validTo: new Date(cert.validTo) };
}

const known = new WeakMap<ClientCredential, KnownCredential>();

/** The credential's id and expiry (a secret's from configuration, a certificate's from the certificate). */
export function describeCredential(credential: ClientCredential): KnownCredential {
  if (credential.kind === "key-vault-certificate") {
    // Its id follows the version in use: a new version gets its own MSAL clients (and so the next request uses it).
    const current = currentVaultCertificate(credential);
    return current
      ? {
          id: `key-vault-certificate:${current.thumbprintSha1}`,
          credential,
          expiresAt: current.notAfter,
          version: current.version,
        }
      : {
          id: `key-vault-certificate:${credential.vaultUrl}/certificates/${credential.name}`,
          credential,
          expiresAt: null,
          unreadable: true,
        };
  }
  const existing = known.get(credential);
  if (existing) return existing;
  let described: KnownCredential;
  if (credential.kind === "managed-identity") {
    described = { id: `managed-identity:${credential.clientId}`, credential, expiresAt: null, neverExpires: true };
  } else if (credential.kind === "secret") {
    // A truncated hash of a random 40-character secret: enough to tell two apart, nothing to guess the value from.
    const digest = createHash("sha256").update(credential.secret).digest("hex").slice(0, 16);
    described = { id: `secret:${digest}`, credential, expiresAt: credential.expiresAt };
  } else {
    try {
      const info = readCertificateInfo(credential.certificatePath);
      described = { id: `certificate:${info.thumbprint}`, credential, expiresAt: info.validTo };
    } catch {
      described = { id: `certificate:${credential.certificatePath}`, credential, expiresAt: null, unreadable: true };
    }
  }
  known.set(credential, described);
  return described;
}

/**
 * The order in which to try the credentials: valid ones first (not expired, not recently rejected), latest
 * expiry first (an unknown expiry after a known one, configuration order on ties); then recently rejected ones,
 * then expired ones — a last resort still worth a request, Entra decides.
 */
export function credentialOrder(
  credentials: readonly ClientCredential[],
  now = new Date(),
  rejected: ReadonlyMap<string, Rejection> = rejections,
): KnownCredential[] {
  const rank = (k: KnownCredential) => {
    const r = rejected.get(k.id);
    if (k.expiresAt && k.expiresAt <= now) return 2;
    if (r && now.getTime() - r.at.getTime() < REJECTION_AVOID_MS) return 1;
    return 0;
  };
  return credentials
    .map((credential, index) => ({ k: describeCredential(credential), index }))
    .sort((a, b) => {
      const byRank = rank(a.k) - rank(b.k);
      if (byRank !== 0) return byRank;
      const ea = a.k.neverExpires ? Infinity : (a.k.expiresAt?.getTime() ?? -Infinity);
      const eb = b.k.neverExpires ? Infinity : (b.k.expiresAt?.getTime() ?? -Infinity);
      if (ea !== eb) return eb - ea;
      return a.index - b.index;
    })
    .map(({ k }) => k);
}

/** Remembers that Entra rejected a credential (this process avoids it for REJECTION_AVOID_MS). */
export function rememberRejection(id: string, code: number, at = new Date()): void {
  rejections.set(id, { at, code });
}

/** Entra accepted the credential: it is no longer avoided. */
export function forgetRejection(id: string): void {
  rejections.delete(id);
}

export function recentRejection(id: string, now = new Date()): Rejection | null {
  const r = rejections.get(id);
  return r && now.getTime() - r.at.getTime() < REJECTION_AVOID_MS ? r : null;
}

/** The AADSTS code of an error answer when it says the credential itself was not accepted. */
export function rejectionCode(aadstsCode: number | null | undefined): number | null {
  return aadstsCode !== null && aadstsCode !== undefined && CREDENTIAL_REJECTION_CODES.has(aadstsCode)
    ? aadstsCode
    : null;
}

/** A credential's name for people: which variables it is configured by, never its value. */
export function credentialLabel(credential: ClientCredential): string {
  if (credential.kind === "managed-identity") return "Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)";
  if (credential.kind === "key-vault-certificate")
    return "Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)";
  if (credential.kind === "certificate") return "Certificate (ENTRA_CLIENT_CERTIFICATE_PATH)";
  return credential.slot === "ENTRA_CLIENT_SECRET_2"
    ? "Second client secret (ENTRA_CLIENT_SECRET_2)"
    : "Client secret (ENTRA_CLIENT_SECRET)";
}

/**
 * Reads what the credentials need before a token request: the Key Vault certificate's version in use (once; later
 * versions are picked up by lib/vault/certificate.ts). Throws with Microsoft's answer when it cannot be read.
 */
export async function credentialsReady(
  credentials: readonly ClientCredential[],
  refreshMinutes: number,
): Promise<void> {
  const inVault = credentials.flatMap((k) => (k.kind === "key-vault-certificate" ? [k] : []));
  for (const credential of inVault) await loadVaultCertificate(credential);
  watchVaultCertificates(inVault, refreshMinutes);
}

/** Entra rejected a Key Vault certificate: look at the vault at once, a newer version may be there (at most once a minute). */
export function rejectedVaultCertificate(credential: ClientCredential, now = Date.now()): void {
  if (credential.kind !== "key-vault-certificate") return;
  const key = `${credential.vaultUrl}/${credential.name}`;
  const last = lastVaultLook.get(key) ?? 0;
  if (now - last < 60_000) return;
  lastVaultLook.set(key, now);
  void refreshVaultCertificate(credential);
}
const lastVaultLook = new Map<string, number>();
