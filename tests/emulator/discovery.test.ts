import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { startEmulator, type EmulatorHandle, DEMO_IDS } from "@tenant-onboarding/emulator";
import { tenantId, vfetch } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

async function discovery(segment: string) {
  const response = await vfetch(`${emu.authorityHost}/${segment}/v2.0/.well-known/openid-configuration`);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("OIDC discovery (docs/protocol/entra.md A1)", () => {
  it("serves a tenant's metadata with the GUID in every endpoint and tenant_region_scope WW", async () => {
    const contoso = DEMO_IDS.tenants.contoso;
    const { status, body, headers } = await discovery(contoso);
    expect(status).toBe(200);
    expect(body.issuer).toBe(`${emu.authorityHost}/${contoso}/v2.0`);
    expect(body.token_endpoint).toBe(`${emu.authorityHost}/${contoso}/oauth2/v2.0/token`);
    expect(body.authorization_endpoint).toBe(`${emu.authorityHost}/${contoso}/oauth2/v2.0/authorize`);
    expect(body.jwks_uri).toBe(`${emu.authorityHost}/${contoso}/discovery/v2.0/keys`);
    expect(body.tenant_region_scope).toBe("WW");
    expect(body.token_endpoint_auth_methods_supported).toEqual([
      "client_secret_post",
      "private_key_jwt",
      "client_secret_basic",
    ]);
    expect(body.subject_types_supported).toEqual(["pairwise"]);
    expect(body.id_token_signing_alg_values_supported).toEqual(["RS256"]);
    expect(headers.get("cache-control")).toBe("max-age=86400, private");
    expect(headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(headers.get("access-control-allow-origin")).toBe("*");
    expect(headers.get("x-ms-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("resolves a verified domain to the tenant GUID", async () => {
    const { status, body } = await discovery("contoso.onmicrosoft.com");
    expect(status).toBe(200);
    expect(body.authorization_endpoint).toBe(`${emu.authorityHost}/${DEMO_IDS.tenants.contoso}/oauth2/v2.0/authorize`);
    expect(body.issuer).toBe(`${emu.authorityHost}/${DEMO_IDS.tenants.contoso}/v2.0`);
  });

  it.each(["organizations", "common"])(
    "keeps the literal %s segment and a literal {tenantid} issuer",
    async (segment) => {
      const { status, body } = await discovery(segment);
      expect(status).toBe(200);
      expect(body.issuer).toBe(`${emu.authorityHost}/{tenantid}/v2.0`);
      expect(body.token_endpoint).toBe(`${emu.authorityHost}/${segment}/oauth2/v2.0/token`);
      expect(body.tenant_region_scope).toBeNull();
    },
  );

  it("answers an unknown tenant with 400 invalid_tenant / AADSTS90002", async () => {
    const { status, body } = await discovery("nosuchtenant.onmicrosoft.com");
    expect(status).toBe(400);
    expect(body.error).toBe("invalid_tenant");
    expect(body.error_codes).toEqual([90002]);
    expect(String(body.error_description)).toMatch(/^AADSTS90002: Tenant 'nosuchtenant.onmicrosoft.com' not found/);
  });

  it("answers a malformed tenant identifier with AADSTS900023", async () => {
    const { status, body } = await discovery("c0a3e5f1-2d4b");
    expect(status).toBe(400);
    expect(body.error_codes).toEqual([900023]);
  });

  it("serves the v1 metadata with the sts.windows.net issuer template", async () => {
    const response = await vfetch(`${emu.authorityHost}/common/.well-known/openid-configuration`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.issuer).toBe("https://sts.windows.net/{tenantid}/");
  });
});

describe("JWKS (docs/protocol/entra.md A1)", () => {
  it("publishes RS256 keys with kid = x5t, x5c and a per-key issuer", async () => {
    const response = await vfetch(`${emu.authorityHost}/${tenantId(emu, "Fabrikam")}/discovery/v2.0/keys`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of jwks.keys) {
      expect(key.kty).toBe("RSA");
      expect(key.use).toBe("sig");
      expect(key.kid).toBe(key.x5t);
      expect(key.e).toBe("AQAB");
      expect(Array.isArray(key.x5c)).toBe(true);
    }
    const issuers = jwks.keys.map((k) => k.issuer);
    expect(issuers).toContain(`${emu.authorityHost}/{tenantid}/v2.0`);
    expect(issuers).toContain(`${emu.authorityHost}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`);
  });

  it("verifies an emulator token with the published keys", async () => {
    const token = await emu.admin.issueToken({ aud: "x", iss: "y", exp: Math.floor(Date.now() / 1000) + 60 });
    const response = await vfetch(`${emu.authorityHost}/common/discovery/v2.0/keys`);
    const jwks = createLocalJWKSet((await response.json()) as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(token, jwks);
    expect(payload.aud).toBe("x");
    expect(protectedHeader.kid).toBe(protectedHeader.x5t);
  });
});
