import "server-only";

// The ISV's own credential for Microsoft Entra ID, as the console's front page reports it: which kind is in
// use, when it expires, and a warning from 30 days before. Never the secret itself.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ClientCredential } from "@/lib/config";

export const CREDENTIAL_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CredentialHealth = {
  kind: "secret" | "certificate" | "none";
  expiresAt: Date | null;
  daysLeft: number | null;
  /** ok; expiring (within 30 days); expired; unknown (no expiry known); unreadable (certificate file); missing. */
  status: "ok" | "expiring" | "expired" | "unknown" | "unreadable" | "missing";
  /** SHA-1 thumbprint of a certificate, as the Entra admin center shows it. */
  thumbprint: string | null;
};

type CertificateReader = (path: string) => { validTo: Date; thumbprint: string };

const readCertificate: CertificateReader = (path) => {
  const cert = new X509Certificate(readFileSync(path));
  return { validTo: new Date(cert.validTo), thumbprint: cert.fingerprint.replace(/:/g, "") };
};

export function credentialHealth(credential: ClientCredential | null, now = new Date(), read: CertificateReader = readCertificate): CredentialHealth {
  if (!credential) return { kind: "none", expiresAt: null, daysLeft: null, status: "missing", thumbprint: null };
  let expiresAt: Date | null;
  let thumbprint: string | null = null;
  if (credential.kind === "secret") {
    expiresAt = credential.expiresAt;
  } else {
    try {
      const cert = read(credential.certificatePath);
      expiresAt = cert.validTo;
      thumbprint = cert.thumbprint;
    } catch {
      return { kind: "certificate", expiresAt: null, daysLeft: null, status: "unreadable", thumbprint: null };
    }
  }
  if (!expiresAt || Number.isNaN(expiresAt.getTime())) return { kind: credential.kind, expiresAt: null, daysLeft: null, status: "unknown", thumbprint };
  const daysLeft = Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);
  const status = expiresAt <= now ? "expired" : expiresAt.getTime() - now.getTime() <= CREDENTIAL_WARNING_DAYS * DAY_MS ? "expiring" : "ok";
  return { kind: credential.kind, expiresAt, daysLeft, status, thumbprint };
}
