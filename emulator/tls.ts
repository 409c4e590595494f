/**
 * Local PKI for the emulator: a persistent CA (trusted by clients through NODE_EXTRA_CA_CERTS),
 * a fresh server certificate at every start, and self-signed certificates for JWT signing keys and
 * the app registration's client certificate.
 */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import forge from "node-forge";
import { defaultStateDir } from "./paths";
import { createOnce } from "./persist";

// "ca-v2": the first CA named itself with "&", which PrintableString (node-forge's default for names) does not
// allow; Chromium rejects every certificate it issued (ERR_SSL_SERVER_CERT_BAD_FORMAT). A new folder forces a new CA.
const CA_DIR = "ca-v2";
const CA_CERT_FILE = "ca-cert.pem";
const CA_KEY_FILE = "ca-key.pem";
const CA_COMMON_NAME = "Entra and Dataverse Emulator Local CA";

export interface CaPaths {
  caCertPath: string;
  caKeyPath: string;
}

export interface PemKeyPair {
  certPem: string;
  keyPem: string;
}

export interface CertificateInfo extends PemKeyPair {
  /** Hex, upper case, as the Azure portal shows it. */
  thumbprintSha1: string;
  thumbprintSha256: string;
  /** base64 of the DER (the `x5c` form). */
  derBase64: string;
  notBefore: string;
  notAfter: string;
}

interface ForgeKeyPair {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pkcs8Pem: string;
}

/** RSA 2048 through Node's native generator (node-forge's pure JS one takes seconds). */
function generateRsaKeyPair(): ForgeKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const spki = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    privateKey: forge.pki.privateKeyFromPem(pkcs1),
    publicKey: forge.pki.publicKeyFromPem(spki),
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function randomSerial(): string {
  // Positive 128-bit serial: first byte below 0x80.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

export function describeCertificate(certPem: string, keyPem: string): CertificateInfo {
  const x509 = new X509Certificate(certPem);
  const der = x509.raw;
  return {
    certPem,
    keyPem,
    thumbprintSha1: createHash("sha1").update(der).digest("hex").toUpperCase(),
    thumbprintSha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
    derBase64: der.toString("base64"),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
  };
}

function createCaCertificate(): PemKeyPair {
  const keys = generateRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
  const attrs = [
    { name: "commonName", value: CA_COMMON_NAME },
    { name: "organizationName", value: "Local development only" },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.pkcs8Pem };
}

/**
 * Creates the persistent local CA in `<stateDir>/ca/` on first call and reuses it afterwards.
 * Safe to call concurrently from several processes (atomic directory creation).
 */
export async function ensureCa(stateDir: string = defaultStateDir()): Promise<CaPaths> {
  const dir = path.join(stateDir, CA_DIR);
  await createOnce(dir, async (tmp) => {
    const ca = createCaCertificate();
    await writeFile(path.join(tmp, CA_CERT_FILE), ca.certPem, { mode: 0o644 });
    await writeFile(path.join(tmp, CA_KEY_FILE), ca.keyPem, { mode: 0o600 });
  });
  return { caCertPath: path.join(dir, CA_CERT_FILE), caKeyPath: path.join(dir, CA_KEY_FILE) };
}

export async function loadCa(paths: CaPaths): Promise<PemKeyPair> {
  const [certPem, keyPem] = await Promise.all([readFile(paths.caCertPath, "utf8"), readFile(paths.caKeyPath, "utf8")]);
  return { certPem, keyPem };
}

export interface ServerCertificateRequest {
  dnsNames: string[];
  ipAddresses: string[];
}

/** A leaf certificate for the HTTPS server, signed by the local CA (validity well under 398 days). */
export function issueServerCertificate(ca: PemKeyPair, request: ServerCertificateRequest): PemKeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = generateRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + 90 * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: "commonName", value: request.dnsNames[0] ?? "localhost" }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...request.ipAddresses.map((ip) => ({ type: 7, ip })),
    ...[...new Set(request.dnsNames)].map((value) => ({ type: 2, value })),
  ];
  // No basicConstraints on leaves: node-forge encodes `cA: false` as an explicit BOOLEAN, which DER forbids
  // (DEFAULT values are omitted) and Chromium rejects as ERR_SSL_SERVER_CERT_BAD_FORMAT.
  cert.setExtensions([
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.pkcs8Pem };
}

/** Self-signed certificate, as used for token-signing keys and app client credentials. */
export function createSelfSignedCertificate(
  commonName: string,
  validDays: number,
  validFrom: Date = new Date(),
): CertificateInfo {
  const keys = generateRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(validFrom.getTime() - 60 * 1000);
  cert.validity.notAfter = new Date(validFrom.getTime() + validDays * 24 * 60 * 60 * 1000);
  const attrs = [{ name: "commonName", value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: "keyUsage", digitalSignature: true, critical: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return describeCertificate(forge.pki.certificateToPem(cert), keys.pkcs8Pem);
}
