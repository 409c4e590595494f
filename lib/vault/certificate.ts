import "server-only";

// The app's certificate credential held in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT): the latest version is read
// at start — the certificate (@azure/keyvault-certificates) and its PEM private key, which Key Vault keeps as the
// secret of the same name and version (docs/protocol/identity.md V7, V8) — and looked at again every
// KEY_VAULT_REFRESH_MINUTES, or at once when Entra rejects it. A new version is used by the next token request after
// it was picked up, without a restart: rotation is "add a version in Key Vault" (and register it on the app).
// The private key stays in this process's memory; it is never logged or stored.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { certificateClient, secretClient, vaultErrorLine } from "@/lib/vault/clients";
import { logger } from "@/lib/log";

export type VaultCertificateRef = { vaultUrl: string; name: string };

export type VaultCertificate = VaultCertificateRef & {
  version: string;
  certificatePem: string;
  privateKeyPem: string;
  privateKey: KeyObject;
  /** Hex SHA-1 of the DER certificate, upper case, as the Entra admin center shows it. */
  thumbprintSha1: string;
  /** Hex SHA-256 of the DER certificate, as MSAL wants it. */
  thumbprintSha256: string;
  /** base64url SHA-256 of the DER certificate: a client assertion's `x5t#S256` header. */
  x5tS256: string;
  notAfter: Date;
};

type Held = {
  current: VaultCertificate | null;
  error: string | null;
  checkedAt: Date | null;
  pending: Promise<{ changed: boolean }> | null;
};
const holder = globalThis as unknown as {
  portalVaultCertificates?: Map<string, Held>;
  portalVaultWatch?: NodeJS.Timeout;
};
const held = (holder.portalVaultCertificates ??= new Map());

const keyOf = (ref: VaultCertificateRef) => `${ref.vaultUrl}/certificates/${ref.name}`;

function state(ref: VaultCertificateRef): Held {
  let entry = held.get(keyOf(ref));
  if (!entry) {
    entry = { current: null, error: null, checkedAt: null, pending: null };
    held.set(keyOf(ref), entry);
  }
  return entry;
}

/** The version in use, or null before it was read (or when it could not be). */
export function currentVaultCertificate(ref: VaultCertificateRef): VaultCertificate | null {
  return held.get(keyOf(ref))?.current ?? null;
}

/** Why the certificate could not be read the last time, if it could not. */
export function vaultCertificateError(ref: VaultCertificateRef): string | null {
  return held.get(keyOf(ref))?.error ?? null;
}

/** The PEM blocks of a certificate's secret: its private key and its (first, leaf) certificate. */
function fromPem(ref: VaultCertificateRef, version: string, pem: string): VaultCertificate {
  const key = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/.exec(pem)?.[0];
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!key || !certificatePem)
    throw new Error("its secret holds no PEM private key and certificate (the key must be exportable)");
  const certificate = new X509Certificate(certificatePem);
  const privateKey = createPrivateKey(key);
  if (!certificate.checkPrivateKey(privateKey)) throw new Error("its private key does not belong to its certificate");
  const sha256 = createHash("sha256").update(certificate.raw).digest();
  return {
    ...ref,
    version,
    certificatePem: `${certificatePem}\n`,
    privateKeyPem: `${key}\n`,
    privateKey,
    thumbprintSha1: certificate.fingerprint.replace(/:/g, "").toUpperCase(),
    thumbprintSha256: sha256.toString("hex"),
    x5tS256: sha256.toString("base64url"),
    notAfter: new Date(certificate.validTo),
  };
}

async function readVersion(ref: VaultCertificateRef, version: string): Promise<VaultCertificate> {
  const secret = await secretClient(ref.vaultUrl).getSecret(ref.name, { version });
  if (secret.properties.contentType === "application/x-pkcs12") {
    throw new Error(
      "its secret is PKCS#12 (application/x-pkcs12); the portal reads PEM: give the certificate's policy the content type application/x-pem-file",
    );
  }
  return fromPem(ref, version, secret.value ?? "");
}

/**
 * Looks at the certificate's latest version and, when it is another one than the version in use, reads it and uses
 * it from now on. Never throws: a failure keeps the version in use (and is logged, and shown on the console).
 */
export function refreshVaultCertificate(ref: VaultCertificateRef): Promise<{ changed: boolean }> {
  const entry = state(ref);
  entry.pending ??= (async () => {
    try {
      const latest = await certificateClient(ref.vaultUrl).getCertificate(ref.name);
      const version = latest.properties.version;
      if (!version) throw new Error("Key Vault named no version");
      entry.checkedAt = new Date();
      if (entry.current?.version === version) {
        entry.error = null;
        return { changed: false };
      }
      const next = await readVersion(ref, version);
      const previous = entry.current;
      entry.current = next;
      entry.error = null;
      logger().info(
        {
          certificate: keyOf(ref),
          version,
          thumbprint: next.thumbprintSha1,
          previousVersion: previous?.version ?? null,
        },
        previous ? "Key Vault certificate: a new version is in use" : "Key Vault certificate loaded",
      );
      return { changed: true };
    } catch (error) {
      entry.error = vaultErrorLine(error);
      logger().warn(
        { certificate: keyOf(ref), error: entry.error, versionInUse: entry.current?.version ?? null },
        "Key Vault certificate could not be read",
      );
      return { changed: false };
    } finally {
      entry.pending = null;
    }
  })();
  return entry.pending;
}

/** Reads the certificate unless a version is in use already; throws with Microsoft's answer when none can be read. */
export async function loadVaultCertificate(ref: VaultCertificateRef): Promise<VaultCertificate> {
  const existing = currentVaultCertificate(ref);
  if (existing) return existing;
  await refreshVaultCertificate(ref);
  const loaded = currentVaultCertificate(ref);
  if (!loaded) throw new Error(vaultCertificateError(ref) ?? "the certificate could not be read");
  return loaded;
}

/** Looks for new versions every `minutes` (once per process; the timer does not keep the process alive). */
export function watchVaultCertificates(refs: readonly VaultCertificateRef[], minutes: number): void {
  if (refs.length === 0 || holder.portalVaultWatch) return;
  holder.portalVaultWatch = setInterval(() => {
    for (const ref of refs) void refreshVaultCertificate(ref);
  }, minutes * 60_000);
  holder.portalVaultWatch.unref();
}

/** Tests: forget every certificate read (and stop looking for new versions). */
export function forgetVaultCertificates(): void {
  held.clear();
  if (holder.portalVaultWatch) clearInterval(holder.portalVaultWatch);
  holder.portalVaultWatch = undefined;
}
