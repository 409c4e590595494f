/**
 * The app registration's client credentials: a client secret and a client certificate. Generated
 * randomly (never literals in code); the CLI persists the demo's in `<stateDir>/demo-app/` so the
 * portal can be configured once.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomGuid } from "./guid";
import { createOnce } from "./persist";
import { createSelfSignedCertificate, describeCertificate } from "./tls";

export interface AppCredentials {
  secret: { keyId: string; value: string; expiresAt: string };
  certificate: {
    keyId: string;
    certPem: string;
    keyPem: string;
    thumbprintSha1: string;
    thumbprintSha256: string;
    expiresAt: string;
  };
}

const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~";

/** Shaped like an Entra secret value (40 chars with the `Q~` marker); random. */
export function generateClientSecretValue(): string {
  const bytes = randomBytes(37);
  const chars = [...bytes].map((b) => SECRET_ALPHABET[b % SECRET_ALPHABET.length] ?? "x");
  return `${chars.slice(0, 3).join("")}8Q~${chars.slice(3).join("")}`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function generateAppCredentials(appDisplayName: string): AppCredentials {
  const now = Date.now();
  const cert = createSelfSignedCertificate(appDisplayName, 365);
  return {
    secret: {
      keyId: randomGuid(),
      value: generateClientSecretValue(),
      expiresAt: new Date(now + 730 * DAY_MS).toISOString(),
    },
    certificate: {
      keyId: randomGuid(),
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      thumbprintSha1: cert.thumbprintSha1,
      thumbprintSha256: cert.thumbprintSha256,
      expiresAt: cert.notAfter,
    },
  };
}

export interface PersistedCredentialPaths {
  dir: string;
  certPath: string;
  keyPath: string;
}

const DEMO_DIR = "demo-app";

/** Loads the demo app's credentials from `<stateDir>/demo-app/`, creating them on first use. */
export async function loadOrCreateDemoCredentials(
  stateDir: string,
  appDisplayName: string,
): Promise<{ credentials: AppCredentials; paths: PersistedCredentialPaths }> {
  const dir = path.join(stateDir, DEMO_DIR);
  const certPath = path.join(dir, "client-cert.pem");
  const keyPath = path.join(dir, "client-key.pem");
  const metaPath = path.join(dir, "credentials.json");
  await createOnce(dir, async (tmp) => {
    const fresh = generateAppCredentials(appDisplayName);
    await writeFile(path.join(tmp, "client-cert.pem"), fresh.certificate.certPem, { mode: 0o644 });
    await writeFile(path.join(tmp, "client-key.pem"), fresh.certificate.keyPem, { mode: 0o600 });
    const meta = { secret: fresh.secret, certificate: { keyId: fresh.certificate.keyId } };
    await writeFile(path.join(tmp, "credentials.json"), JSON.stringify(meta, null, 2), { mode: 0o600 });
  });
  const [certPem, keyPem, metaText] = await Promise.all([
    readFile(certPath, "utf8"),
    readFile(keyPath, "utf8"),
    readFile(metaPath, "utf8"),
  ]);
  const meta = JSON.parse(metaText) as { secret: AppCredentials["secret"]; certificate: { keyId: string } };
  const info = describeCertificate(certPem, keyPem);
  return {
    credentials: {
      secret: meta.secret,
      certificate: {
        keyId: meta.certificate.keyId,
        certPem,
        keyPem,
        thumbprintSha1: info.thumbprintSha1,
        thumbprintSha256: info.thumbprintSha256,
        expiresAt: info.notAfter,
      },
    },
    paths: { dir, certPath, keyPath },
  };
}
