import "server-only";

// The ISV's own credentials for Microsoft Entra ID (one or two, for rotation), as the console's front page reports
// them: kind, when each expires (a managed identity never does; a Key Vault certificate by the version in use),
// which one is in use, a recent rejection by Entra, and a warning from 30 days before expiry. Never the secret itself.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ClientCredential } from "@/lib/config";
import { latestFallbacks } from "@/lib/data/credential-notices";
import { credentialLabel, credentialOrder, recentRejection, REJECTION_AVOID_MS } from "@/lib/entra/credentials";
import { currentVaultCertificate, vaultCertificateError } from "@/lib/vault/certificate";

export const CREDENTIAL_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CredentialHealth = {
  kind: "secret" | "certificate" | "key-vault-certificate" | "managed-identity" | "none";
  expiresAt: Date | null;
  daysLeft: number | null;
  /** ok; expiring (within 30 days); expired; unknown (no expiry known); unreadable (certificate file); missing. */
  status: "ok" | "expiring" | "expired" | "unknown" | "unreadable" | "missing";
  /** SHA-1 thumbprint of a certificate, as the Entra admin center shows it. */
  thumbprint: string | null;
  /** A Key Vault certificate: the version in use and the vault's identifier; a managed identity: its client id. */
  source?: {
    keyVaultCertificate?: string;
    version?: string | null;
    managedIdentityClientId?: string;
    error?: string | null;
  };
};

type CertificateReader = (path: string) => { validTo: Date; thumbprint: string };

const readCertificate: CertificateReader = (path) => {
  const cert = new X509Certificate(readFileSync(path));
  return { validTo: new Date(cert.validTo), thumbprint: cert.fingerprint.replace(/:/g, "") };
};

export type CredentialOverview = CredentialHealth & {
  /** Non-secret id (lib/entra/credentials.ts) and the variables it is configured by. */
  id: string;
  label: string;
  /** The credential this process presents to Entra ID first now. */
  inUse: boolean;
  /** Entra's latest rejection of it, if recent (this process's, or recorded by any replica). */
  rejection: { at: Date; code: number | null } | null;
};

/** Every configured credential with its health, the one in use now and a recent rejection; in configuration order. */
export async function credentialsOverview(
  credentials: readonly ClientCredential[],
  now = new Date(),
): Promise<CredentialOverview[]> {
  const order = credentialOrder(credentials, now);
  const recorded = await latestFallbacks(order.map((k) => k.id));
  return credentials.map((credential) => {
    const known = order.find((k) => k.credential === credential)!;
    const own = recentRejection(known.id, now);
    const shared = recorded.get(known.id);
    // A rejection recorded by any replica within the last week stays on the front page; this process's own for its avoid window.
    const rejection =
      own ?? (shared && now.getTime() - shared.at.getTime() < Math.max(REJECTION_AVOID_MS, 7 * DAY_MS) ? shared : null);
    return {
      ...credentialHealth(credential, now),
      id: known.id,
      label: credentialLabel(credential),
      inUse: order[0] === known,
      rejection,
    };
  });
}

export function credentialHealth(
  credential: ClientCredential | null,
  now = new Date(),
  read: CertificateReader = readCertificate,
): CredentialHealth {
  if (!credential) return { kind: "none", expiresAt: null, daysLeft: null, status: "missing", thumbprint: null };
  // Nothing to expire: Entra trusts the identity's tokens through the federated credential.
  if (credential.kind === "managed-identity")
    return {
      kind: credential.kind,
      expiresAt: null,
      daysLeft: null,
      status: "ok",
      thumbprint: null,
      source: { managedIdentityClientId: credential.clientId },
    };
  let expiresAt: Date | null;
  let thumbprint: string | null = null;
  let source: CredentialHealth["source"];
  if (credential.kind === "secret") {
    expiresAt = credential.expiresAt;
  } else if (credential.kind === "key-vault-certificate") {
    // The version in use (lib/vault/certificate.ts), not the vault's latest: what Entra sees.
    const current = currentVaultCertificate(credential);
    source = {
      keyVaultCertificate: `${credential.vaultUrl}/certificates/${credential.name}`,
      version: current?.version ?? null,
      error: vaultCertificateError(credential),
    };
    if (!current)
      return { kind: credential.kind, expiresAt: null, daysLeft: null, status: "unreadable", thumbprint: null, source };
    expiresAt = current.notAfter;
    thumbprint = current.thumbprintSha1;
  } else {
    try {
      const cert = read(credential.certificatePath);
      expiresAt = cert.validTo;
      thumbprint = cert.thumbprint;
    } catch {
      return { kind: "certificate", expiresAt: null, daysLeft: null, status: "unreadable", thumbprint: null };
    }
  }
  if (!expiresAt || Number.isNaN(expiresAt.getTime()))
    return {
      kind: credential.kind,
      expiresAt: null,
      daysLeft: null,
      status: "unknown",
      thumbprint,
      ...(source ? { source } : {}),
    };
  const daysLeft = Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);
  const status =
    expiresAt <= now
      ? "expired"
      : expiresAt.getTime() - now.getTime() <= CREDENTIAL_WARNING_DAYS * DAY_MS
        ? "expiring"
        : "ok";
  return { kind: credential.kind, expiresAt, daysLeft, status, thumbprint, ...(source ? { source } : {}) };
}
