import "server-only";

// The app's certificate credential (docs/protocol/entra.md A4): the PEM certificate and private key named by configuration,
// read once — or the version of a Key Vault certificate in use (lib/vault/certificate.ts) — and the client assertion
// Entra ID accepts in place of a secret.
import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import type { ClientCredential, PortalConfig } from "@/lib/config";
import { currentVaultCertificate, vaultCertificateError } from "@/lib/vault/certificate";

export type ClientCertificate = {
  certificatePem: string;
  privateKeyPem: string;
  privateKey: KeyObject;
  /** Hex SHA-256 of the DER certificate, as MSAL wants it. */
  thumbprintSha256: string;
  /** base64url SHA-256 of the DER certificate: the assertion's `x5t#S256` header. */
  x5tS256: string;
  notAfter: Date;
};

type CertificateCredential = Extract<ClientCredential, { kind: "certificate" | "key-vault-certificate" }>;
let cached: { credential: CertificateCredential; certificate: ClientCertificate } | undefined;

export function clientCertificate(credential: CertificateCredential): ClientCertificate {
  if (credential.kind === "key-vault-certificate") {
    const current = currentVaultCertificate(credential);
    if (!current)
      throw new Error(
        `the Key Vault certificate ${credential.vaultUrl}/certificates/${credential.name} is not loaded: ${vaultCertificateError(credential) ?? "not read yet"}`,
      );
    return current;
  }
  if (cached?.credential !== credential) {
    const certificatePem = readFileSync(credential.certificatePath, "utf8");
    const privateKeyPem = readFileSync(credential.privateKeyPath, "utf8");
    const certificate = new X509Certificate(certificatePem);
    const digest = createHash("sha256").update(certificate.raw).digest();
    const loaded: ClientCertificate = {
      certificatePem,
      privateKeyPem,
      privateKey: createPrivateKey(privateKeyPem),
      thumbprintSha256: digest.toString("hex"),
      x5tS256: digest.toString("base64url"),
      notAfter: new Date(certificate.validTo),
    };
    cached = { credential, certificate: loaded };
  }
  return cached.certificate;
}

/**
 * A client assertion for the token endpoint `audience` of one tenant: PS256 with `x5t#S256`, iss = sub = the
 * client id, valid ten minutes (docs/protocol/entra.md A4, "Certificate"; ED certificate-credentials.md).
 */
export async function clientAssertion(
  c: PortalConfig,
  credential: CertificateCredential,
  audience: string,
): Promise<string> {
  const certificate = clientCertificate(credential);
  const clientId = c.entra.clientId;
  if (!clientId) throw new Error("no client id is configured");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": certificate.x5tS256 })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setNotBefore(now)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(certificate.privateKey);
}
