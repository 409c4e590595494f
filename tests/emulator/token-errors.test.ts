/**
 * Token endpoint errors, each with its AADSTS code and HTTP status (docs/protocol/entra.md A4/A5), and the
 * client authentication variants (body secret, RFC 6749 §2.3.1 Basic, assertions).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, importPKCS8, SignJWT } from "jose";
import { startEmulator, type EmulatorHandle, scenario, testCredentials } from "@tenant-onboarding/emulator";
import { createSelfSignedCertificate } from "@tenant-onboarding/emulator/testing";
import { tenantId, tokenRequest } from "./helpers";

const ODD_SECRET = "a+b/c:d%e f~Q=&";
let emu: EmulatorHandle;
let clientId: string;
let contoso: string;

beforeAll(async () => {
  const base = testCredentials();
  emu = await startEmulator({
    scenario: scenario({
      credentials: { ...base, secret: { ...base.secret, value: ODD_SECRET } },
      customers: [
        { name: "Contoso", environments: [{ name: "contoso" }] },
        { name: "Tailspin Toys", hasDataverse: false },
        { name: "Pending", consented: false, environments: [{ name: "pending", appUser: "none" }] },
      ],
    }),
  });
  clientId = emu.scenario.app.clientId;
  contoso = tenantId(emu, "Contoso");
});
afterAll(async () => {
  await emu.close();
});

function scopeFor(env: string): string {
  return `${emu.environmentUrl(env)}/.default`;
}

function credentials(fields: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: ODD_SECRET,
    scope: scopeFor("contoso"),
    ...fields,
  };
}

function expectEntraError(
  result: { status: number; body: Record<string, unknown> },
  status: number,
  error: string,
  code: number,
): void {
  expect(result.status).toBe(status);
  expect(result.body.error).toBe(error);
  expect(result.body.error_codes).toEqual([code]);
  expect(String(result.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
}

async function assertion(
  options: {
    alg?: "RS256" | "PS256";
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    keyPem?: string;
  } = {},
): Promise<string> {
  const cert = emu.scenario.app.certificates[0];
  if (!cert?.privateKeyPem) throw new Error("no cert");
  const alg = options.alg ?? "RS256";
  const key = await importPKCS8(options.keyPem ?? cert.privateKeyPem, alg);
  const thumb =
    alg === "RS256"
      ? { x5t: Buffer.from(cert.thumbprintSha1, "hex").toString("base64url") }
      : { "x5t#S256": Buffer.from(cert.thumbprintSha256, "hex").toString("base64url") };
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: `${emu.authorityHost}/${contoso}/oauth2/v2.0/token`,
    iss: clientId,
    sub: clientId,
    jti: crypto.randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
    ...options.claims,
  })
    .setProtectedHeader({ alg, typ: "JWT", ...thumb, ...options.header })
    .sign(key);
}

function withAssertion(jwt: string): Record<string, string | undefined> {
  return credentials({
    client_secret: undefined,
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: jwt,
  });
}

describe("client credentials success shapes", () => {
  it("returns the documented body and no-store headers", async () => {
    const result = await tokenRequest(emu, contoso, credentials());
    expect(result.status).toBe(200);
    expect(Object.keys(result.body)).toEqual(["token_type", "expires_in", "ext_expires_in", "access_token"]);
    expect(result.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(result.headers.get("cache-control")).toBe("no-store, no-cache");
    expect(result.headers.get("pragma")).toBe("no-cache");
  });

  it("accepts HTTP Basic with RFC 6749 §2.3.1 form-url-encoding of id and secret", async () => {
    const encode = (v: string) => encodeURIComponent(v).replace(/%20/g, "+");
    const basic = Buffer.from(`${encode(clientId)}:${encode(ODD_SECRET)}`).toString("base64");
    const result = await tokenRequest(emu, contoso, credentials({ client_secret: undefined, client_id: undefined }), {
      authorization: `Basic ${basic}`,
    });
    expect(result.status).toBe(200);
    expect(emu.requestLog().at(-1)).toMatchObject({ kind: "entra.token", clientAuth: "client_secret_basic" });
  });

  it("accepts the tenant's domain in the path and a trailing-slash resource", async () => {
    const result = await tokenRequest(
      emu,
      "contoso.onmicrosoft.com",
      credentials({ scope: `${emu.environmentUrl("contoso")}//.default` }),
    );
    expect(result.status).toBe(200);
  });

  it("accepts an RS256 assertion with x5t and a PS256 assertion with x5t#S256", async () => {
    expect((await tokenRequest(emu, contoso, withAssertion(await assertion()))).status).toBe(200);
    expect((await tokenRequest(emu, contoso, withAssertion(await assertion({ alg: "PS256" })))).status).toBe(200);
  });
});

describe("token endpoint errors (docs/protocol/entra.md A5)", () => {
  it("error body carries trace/correlation ids, timestamp and error_uri", async () => {
    const result = await tokenRequest(emu, contoso, credentials({ client_secret: "wrong" }));
    const description = String(result.body.error_description);
    expect(description).toMatch(
      /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/,
    );
    expect(result.body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(result.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.body.error_uri).toBe(`${emu.authorityHost}/error?code=7000215`);
  });

  it("7000215 for a wrong secret, and for the secret ID pasted instead of the value (401)", async () => {
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ client_secret: "nope" })),
      401,
      "invalid_client",
      7000215,
    );
    const secretId = emu.scenario.app.secrets[0]?.keyId;
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ client_secret: secretId })),
      401,
      "invalid_client",
      7000215,
    );
  });

  it("7000218 when no credential is sent", async () => {
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ client_secret: undefined })),
      401,
      "invalid_client",
      7000218,
    );
  });

  it("700016 when the tenant has no service principal of the app (400 unauthorized_client)", async () => {
    const result = await tokenRequest(emu, tenantId(emu, "Pending"), credentials({ scope: scopeFor("pending") }));
    expectEntraError(result, 400, "unauthorized_client", 700016);
    expect(String(result.body.error_description)).toContain(
      `Application with identifier '${clientId}' was not found in the directory 'Pending'`,
    );
  });

  it("700016 for an unknown client id", async () => {
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ client_id: crypto.randomUUID() })),
      400,
      "unauthorized_client",
      700016,
    );
  });

  it("90002 for an unknown tenant and 900023 for a malformed one", async () => {
    expectEntraError(await tokenRequest(emu, crypto.randomUUID(), credentials()), 400, "invalid_request", 90002);
    expectEntraError(await tokenRequest(emu, "not a tenant", credentials()), 400, "invalid_request", 900023);
  });

  it("9001023 for client credentials on /common and /consumers", async () => {
    expectEntraError(await tokenRequest(emu, "common", credentials()), 400, "invalid_request", 9001023);
    expectEntraError(await tokenRequest(emu, "consumers", credentials()), 400, "invalid_request", 9001023);
  });

  it("500011 when the tenant has no Dataverse, or the resource is unknown", async () => {
    const tailspin = tenantId(emu, "Tailspin Toys");
    const result = await tokenRequest(
      emu,
      tailspin,
      credentials({ scope: "https://tailspin.crm.dynamics.localhost/.default" }),
    );
    expectEntraError(result, 400, "invalid_resource", 500011);
    expect(String(result.body.error_description)).toContain(
      "The resource principal named https://tailspin.crm.dynamics.localhost was not found",
    );
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ scope: "https://api.example.com/.default" })),
      400,
      "invalid_resource",
      500011,
    );
  });

  it("issues a token for any *.crmN.dynamics host of a Dataverse tenant (no org check, docs/protocol/entra.md A3.3)", async () => {
    const result = await tokenRequest(
      emu,
      contoso,
      credentials({ scope: "https://someoneelse.crm7.dynamics.localhost/.default" }),
    );
    expect(result.status).toBe(200);
  });

  it("1002012 for a scope without /.default, in Entra's words; 700022 for two resources", async () => {
    const scope = `${emu.environmentUrl("contoso")}/user_impersonation`;
    const result = await tokenRequest(emu, contoso, credentials({ scope }));
    expectEntraError(result, 400, "invalid_scope", 1002012);
    expect(String(result.body.error_description).split("\r\n")[0]).toBe(
      `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
    expectEntraError(await tokenRequest(emu, contoso, credentials({ scope: "openid" })), 400, "invalid_scope", 1002012);
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ scope: "User.Read.All" })),
      400,
      "invalid_scope",
      1002012,
    );
    expectEntraError(
      await tokenRequest(
        emu,
        contoso,
        credentials({ scope: `${scopeFor("contoso")} https://graph.microsoft.com/.default` }),
      ),
      400,
      "invalid_scope",
      700022,
    );
  });

  it("unsupported_grant_type and invalid_request for missing parameters", async () => {
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ grant_type: "password" })),
      400,
      "unsupported_grant_type",
      70003,
    );
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ grant_type: undefined })),
      400,
      "invalid_request",
      900144,
    );
    expectEntraError(
      await tokenRequest(emu, contoso, credentials({ client_id: undefined })),
      400,
      "invalid_request",
      900144,
    );
    const noScope = await tokenRequest(emu, contoso, credentials({ scope: undefined }));
    expectEntraError(noScope, 400, "invalid_request", 900144);
    expect(String(noScope.body.error_description)).toContain("'scope'");
  });

  it("900561 for a GET on the token endpoint, a non-form body is missing grant_type", async () => {
    const { vfetch } = await import("./helpers");
    const get = await vfetch(`${emu.authorityHost}/${contoso}/oauth2/v2.0/token`);
    expect(get.status).toBe(400);
    expect(((await get.json()) as { error_codes: number[] }).error_codes).toEqual([900561]);
    const json = await vfetch(`${emu.authorityHost}/${contoso}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(((await json.json()) as { error_codes: number[] }).error_codes).toEqual([900144]);
  });

  it("700027 for assertions: unknown key, bad signature, ECDSA, wrong audience", async () => {
    const stranger = createSelfSignedCertificate("stranger", 30);
    const unknownKey = await assertion({
      header: { x5t: Buffer.from(stranger.thumbprintSha1, "hex").toString("base64url") },
      keyPem: stranger.keyPem,
    });
    const r1 = await tokenRequest(emu, contoso, withAssertion(unknownKey));
    expectEntraError(r1, 401, "invalid_client", 700027);
    expect(String(r1.body.error_description)).toContain("The key was not found.");

    const badSignature = await assertion({ keyPem: stranger.keyPem });
    const r2 = await tokenRequest(emu, contoso, withAssertion(badSignature));
    expectEntraError(r2, 401, "invalid_client", 700027);
    expect(String(r2.body.error_description)).toContain("Client assertion failed signature validation.");

    const ec = await generateKeyPair("ES256");
    const ecdsa = await new SignJWT({ iss: clientId, sub: clientId, aud: "x", exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: "ES256", x5t: "abc" })
      .sign(ec.privateKey);
    const r3 = await tokenRequest(emu, contoso, withAssertion(ecdsa));
    expectEntraError(r3, 401, "invalid_client", 700027);
    expect(String(r3.body.error_description)).toContain("Unsupported asymmetric signing algorithm");

    const otherTenant = await assertion({
      claims: { aud: `${emu.authorityHost}/${tenantId(emu, "Tailspin Toys")}/oauth2/v2.0/token` },
    });
    expectEntraError(await tokenRequest(emu, contoso, withAssertion(otherTenant)), 401, "invalid_client", 700027);
  });

  it("700024 for an expired assertion, 50048 when sub differs from iss", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    expectEntraError(
      await tokenRequest(
        emu,
        contoso,
        withAssertion(await assertion({ claims: { nbf: past - 600, iat: past - 600, exp: past } })),
      ),
      401,
      "invalid_client",
      700024,
    );
    expectEntraError(
      await tokenRequest(emu, contoso, withAssertion(await assertion({ claims: { sub: "someone" } }))),
      401,
      "invalid_client",
      50048,
    );
  });
});

describe("credential lifecycle and consent state", () => {
  it("7000222 after the secret expires; a rotated secret works", async () => {
    emu.admin.expireSecret();
    expectEntraError(await tokenRequest(emu, contoso, credentials()), 401, "invalid_client", 7000222);
    const rotated = emu.admin.addSecret();
    expect((await tokenRequest(emu, contoso, credentials({ client_secret: rotated.value }))).status).toBe(200);
    emu.admin.reset();
    expect((await tokenRequest(emu, contoso, credentials())).status).toBe(200);
  });

  it("700027 after the certificate expires", async () => {
    emu.admin.expireCertificate();
    const result = await tokenRequest(emu, contoso, withAssertion(await assertion()));
    expectEntraError(result, 401, "invalid_client", 700027);
    expect(String(result.body.error_description)).toContain("The key used is expired.");
    emu.admin.reset();
  });

  it("7000112 while the app is disabled", async () => {
    emu.admin.setAppDisabled(true);
    expectEntraError(await tokenRequest(emu, contoso, credentials()), 400, "unauthorized_client", 7000112);
    emu.admin.setAppDisabled(false);
  });

  it("700016 until consent replication finishes, then a token", async () => {
    const pending = tenantId(emu, "Pending");
    emu.admin.grantConsent("Pending", { replicationDelayMs: 1000 });
    expectEntraError(
      await tokenRequest(emu, pending, credentials({ scope: scopeFor("pending") })),
      400,
      "unauthorized_client",
      700016,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await tokenRequest(emu, pending, credentials({ scope: scopeFor("pending") }))).status).toBe(200);
    emu.admin.revokeConsent("Pending");
    expectEntraError(
      await tokenRequest(emu, pending, credentials({ scope: scopeFor("pending") })),
      400,
      "unauthorized_client",
      700016,
    );
  });
});
