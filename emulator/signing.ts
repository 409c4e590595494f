/**
 * Token-signing keys and the JWKS document (docs/protocol/entra.md A1 "JWKS"): RS256 keys with a self-signed
 * certificate each, `kid` = `x5t` = base64url(SHA-1(DER)), `x5c`, and a per-key `issuer`. One key
 * signs organizational tokens, a second one personal-account (consumer tenant) tokens, as in Entra.
 * Keys persist in `<stateDir>/signing/` so tokens survive an emulator restart.
 */
import { createHash, createPublicKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { exportJWK, importPKCS8, jwtVerify, SignJWT } from "jose";
import type { CryptoKey, JWK, JWTHeaderParameters, JWTPayload } from "jose";
import { CONSUMER_TENANT_ID } from "./directory-roles";
import { createOnce } from "./persist";
import { createSelfSignedCertificate } from "./tls";

export type KeyAudience = "organizations" | "consumers";

export interface SigningKey {
  audience: KeyAudience;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  certDerBase64: string;
}

export interface VerifiedToken {
  payload: JWTPayload & Record<string, unknown>;
  header: JWTHeaderParameters;
}

function base64url(buffer: Buffer): string {
  return buffer.toString("base64url");
}

async function loadKey(dir: string, audience: KeyAudience): Promise<SigningKey> {
  const [certPem, keyPem] = await Promise.all([
    readFile(path.join(dir, `${audience}-cert.pem`), "utf8"),
    readFile(path.join(dir, `${audience}-key.pem`), "utf8"),
  ]);
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const kid = base64url(createHash("sha1").update(der).digest());
  const privateKey = await importPKCS8(keyPem, "RS256");
  const publicJwk = await exportJWK(createPublicKey(keyPem));
  return { audience, kid, privateKey, publicJwk, certDerBase64: der.toString("base64") };
}

export class TokenSigner {
  private constructor(private readonly keys: SigningKey[]) {}

  static async load(stateDir: string): Promise<TokenSigner> {
    const dir = path.join(stateDir, "signing");
    await createOnce(dir, async (tmp) => {
      for (const audience of ["organizations", "consumers"] as const) {
        const cert = createSelfSignedCertificate(`accounts.emulator ${audience} signing`, 3650);
        await writeFile(path.join(tmp, `${audience}-cert.pem`), cert.certPem);
        await writeFile(path.join(tmp, `${audience}-key.pem`), cert.keyPem, { mode: 0o600 });
      }
    });
    return new TokenSigner([await loadKey(dir, "organizations"), await loadKey(dir, "consumers")]);
  }

  private key(audience: KeyAudience): SigningKey {
    const key = this.keys.find((k) => k.audience === audience);
    if (!key) throw new Error(`no signing key for ${audience}`);
    return key;
  }

  /** The `jwks_uri` document. */
  jwks(authority: string): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.map((k) => ({
        kty: "RSA",
        use: "sig",
        kid: k.kid,
        x5t: k.kid,
        n: k.publicJwk.n,
        e: k.publicJwk.e,
        x5c: [k.certDerBase64],
        issuer: k.audience === "consumers" ? `${authority}/${CONSUMER_TENANT_ID}/v2.0` : `${authority}/{tenantid}/v2.0`,
      })),
    };
  }

  /**
   * Signs a JWT. v1 access tokens carry `x5t` next to `kid` in the header; v2 tokens only `kid`
   * (docs/protocol/entra.md A1/A2).
   */
  async sign(
    payload: Record<string, unknown>,
    options: { audience?: KeyAudience; v1Header?: boolean } = {},
  ): Promise<string> {
    const key = this.key(options.audience ?? "organizations");
    const header: JWTHeaderParameters = { typ: "JWT", alg: "RS256", kid: key.kid };
    if (options.v1Header) header.x5t = key.kid;
    const ordered = options.v1Header ? { typ: "JWT", alg: "RS256", x5t: key.kid, kid: key.kid } : header;
    return new SignJWT(payload).setProtectedHeader(ordered).sign(key.privateKey);
  }

  /** Verifies signature (any of our keys), `exp` and `nbf` with the given leeway. Throws on failure. */
  async verify(token: string, clockToleranceSeconds: number): Promise<VerifiedToken> {
    const result = await jwtVerify(
      token,
      async (header) => {
        const key = this.keys.find((k) => k.kid === header.kid);
        if (!key) throw new Error("unknown kid");
        return key.publicJwk;
      },
      { algorithms: ["RS256"], clockTolerance: clockToleranceSeconds },
    );
    return { payload: result.payload as JWTPayload & Record<string, unknown>, header: result.protectedHeader };
  }
}
