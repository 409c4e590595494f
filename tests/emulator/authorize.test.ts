/**
 * The authorization code flow through the emulated sign-in pages (docs/protocol/entra.md A2): account picker,
 * consent, PKCE, nonce, response modes, error pages vs error redirects, one-time codes, refresh
 * tokens, prompt=none with the session cookie.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { startEmulator, type EmulatorHandle, DEMO_IDS } from "@tenant-onboarding/emulator";
import {
  Browser,
  claimsOf,
  dataverse,
  errorOf,
  REDIRECT_URI,
  resultParams,
  secretOf,
  tokenRequest,
  vfetch,
} from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => {
  emu.admin.reset();
});
afterAll(async () => {
  await emu.close();
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(tenant: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${emu.authorityHost}/${tenant}/oauth2/v2.0/authorize`);
  const defaults: Record<string, string | undefined> = {
    client_id: emu.scenario.app.clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile email offline_access",
    state: "st-123",
    nonce: "n-456",
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

async function redeem(tenant: string, code: string, extra: Record<string, string | undefined> = {}) {
  return tokenRequest(emu, tenant, {
    grant_type: "authorization_code",
    client_id: emu.scenario.app.clientId,
    client_secret: secretOf(emu),
    code,
    redirect_uri: REDIRECT_URI,
    ...extra,
  });
}

describe("account picker", () => {
  it("offers only the tenant's users on a tenant path", async () => {
    const browser = new Browser(emu);
    const page = await browser.open(authorizeUrl(DEMO_IDS.tenants.contoso));
    expect(page.status).toBe(200);
    expect(browser.buttonLabels(page)).toEqual([
      "Sign in as Megan Bowen (megan@contoso.onmicrosoft.com)",
      "Sign in as Lee Gu (lee@contoso.onmicrosoft.com)",
      "Sign in as Alex Wilber (alex@contoso.onmicrosoft.com)",
      "Cancel",
    ]);
  });

  it("/organizations refuses a personal account on its own page, in Microsoft's words, before any consent", async () => {
    const browser = new Browser(emu);
    const picker = await browser.open(authorizeUrl("organizations"));
    expect(browser.buttonLabels(picker)).toContain("Sign in as Diego Siciliani (diego@fabrikam.onmicrosoft.com)");
    const refused = await browser.click(picker, "Sign in as Alex Johnson (alex@outlook.com)");
    expect(refused.status).toBe(200);
    expect(refused.location).toBeUndefined();
    expect(refused.html).toContain(
      "You can&#39;t sign in here with a personal account. Use your work or school account instead.",
    );
    expect(refused.html).not.toContain(emu.scenario.app.displayName);
    expect(refused.html).not.toContain("Permissions requested");
    expect(browser.buttonLabels(refused)).toEqual(["Cancel", "Use another account"]);
    // Another account from the same transaction goes on as usual.
    const again = await browser.click(refused, "Use another account");
    const done = resultParams(
      await browser.click(again, "Sign in as Diego Siciliani (diego@fabrikam.onmicrosoft.com)"),
    );
    expect(done.get("code")).toMatch(/^1\./);
    expect(done.get("state")).toBe("st-123");
  });

  it("/consumers refuses a work account on its own page; /common offers both", async () => {
    const browser = new Browser(emu);
    const refused = await browser.click(
      await browser.open(authorizeUrl("consumers")),
      "Sign in as Diego Siciliani (diego@fabrikam.onmicrosoft.com)",
    );
    expect(refused.location).toBeUndefined();
    expect(refused.html).toContain(
      "That Microsoft account doesn&#39;t exist. Enter a different account or get a new one.",
    );
    const common = browser.buttonLabels(await browser.open(authorizeUrl("common")));
    expect(common).toContain("Sign in as Alex Johnson (alex@outlook.com)");
  });

  it("Cancel returns error=access_denied&error_subcode=cancel&state", async () => {
    const browser = new Browser(emu);
    const result = await browser.click(await browser.open(authorizeUrl("organizations")), "Cancel");
    expect(result.status).toBe(302);
    const params = resultParams(result);
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_subcode")).toBe("cancel");
    expect(params.get("state")).toBe("st-123");
    expect(result.location?.startsWith(REDIRECT_URI)).toBe(true);
  });
});

describe("errors before and after the redirect URI is trusted", () => {
  it("shows AADSTS50011 as a page for an unregistered redirect URI", async () => {
    const response = await vfetch(authorizeUrl("organizations", { redirect_uri: "https://evil.example.com/cb" }));
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("AADSTS50011");
    expect(response.headers.get("location")).toBeNull();
  });

  it("shows AADSTS700016 as a page for an unknown client id", async () => {
    const response = await vfetch(authorizeUrl("organizations", { client_id: crypto.randomUUID() }));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("AADSTS700016");
  });

  it("shows AADSTS90002 for an unknown tenant", async () => {
    const response = await vfetch(authorizeUrl("nowhere.onmicrosoft.com"));
    expect(await response.text()).toContain("AADSTS90002");
  });

  it("redirects protocol errors to the client (unsupported response_type, missing scope)", async () => {
    const a = await vfetch(authorizeUrl("organizations", { response_type: "token" }));
    expect(a.status).toBe(302);
    expect(new URL(a.headers.get("location") ?? "").searchParams.get("error")).toBe("unsupported_response_type");
    const b = await vfetch(authorizeUrl("organizations", { scope: undefined }));
    const params = new URL(b.headers.get("location") ?? "").searchParams;
    expect(params.get("error")).toBe("invalid_request");
    expect(params.get("error_description")).toMatch(/^AADSTS900144: .*'scope'/);
    expect(params.get("state")).toBe("st-123");
  });

  it("ignores the port of a registered http://localhost redirect URI", async () => {
    const response = await vfetch(
      authorizeUrl("organizations", { redirect_uri: "http://localhost:4123/api/auth/callback/microsoft-entra-id" }),
    );
    expect(response.status).toBe(200);
  });
});

describe("code flow", () => {
  it("issues a code after consent; the ID token follows docs/protocol/entra.md A2 and verifies against the JWKS", async () => {
    const { verifier, challenge } = pkce();
    const browser = new Browser(emu);
    const picker = await browser.open(
      authorizeUrl("organizations", { code_challenge: challenge, code_challenge_method: "S256" }),
    );
    const consent = await browser.click(picker, "Sign in as Megan Bowen");
    expect(consent.status).toBe(200);
    // The consent screen has its own URL (browser tests wait for it).
    expect(consent.url).toMatch(new RegExp(`^${emu.authorityHost}/organizations/consent\\?txn=`));
    expect(consent.html).toContain("Permissions requested");
    expect(browser.buttonLabels(consent)).toEqual(["Cancel", "Accept"]);
    const redirect = await browser.click(consent, "Accept");
    const params = resultParams(redirect);
    expect(params.get("state")).toBe("st-123");
    const code = params.get("code") ?? "";

    const tokens = await redeem("organizations", code, { code_verifier: verifier });
    expect(tokens.status).toBe(200);
    expect(tokens.body.refresh_token).toBeTruthy();
    const idToken = String(tokens.body.id_token);
    const contoso = DEMO_IDS.tenants.contoso;
    const megan = emu.scenario.tenants.find((t) => t.id === contoso)?.users.find((u) => u.upn.startsWith("megan"));
    const jwks = createLocalJWKSet(
      (await (await vfetch(`${emu.authorityHost}/${contoso}/discovery/v2.0/keys`)).json()) as JSONWebKeySet,
    );
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      issuer: `${emu.authorityHost}/${contoso}/v2.0`,
      audience: emu.scenario.app.clientId,
    });
    expect(protectedHeader.x5t).toBeUndefined();
    expect(payload).toMatchObject({
      tid: contoso,
      oid: megan?.oid,
      preferred_username: "megan@contoso.onmicrosoft.com",
      name: "Megan Bowen",
      email: "megan@contoso.onmicrosoft.com",
      nonce: "n-456",
      ver: "2.0",
    });
    expect(payload.sub).not.toBe(megan?.oid);
    expect(payload.wids).toContain("62e90394-69f5-4237-9190-012177145e10");
    expect(payload.roles).toBeUndefined();
    // `aio`: an opaque internal claim Entra puts in ID tokens (docs/protocol/entra.md A2); no client may rely on its absence.
    expect(payload.aio).toEqual(expect.stringMatching(/^[\w.*!-]{20,}$/));
    expect((payload.exp ?? 0) > (payload.iat ?? 0)).toBe(true);
    // User consent created the app's service principal in Contoso (as Entra does).
    expect(emu.admin.state().servicePrincipals.find((s) => s.tenantId === contoso)?.consented).toBe(true);
  });

  it("rejects a wrong PKCE verifier (501481), a reused code (54005), a different redirect URI (500112)", async () => {
    const { verifier, challenge } = pkce();
    const browser = new Browser(emu);
    const picker = await browser.open(
      authorizeUrl(DEMO_IDS.tenants.northwind, { code_challenge: challenge, code_challenge_method: "S256" }),
    );
    const code = resultParams(await browser.click(picker, "Sign in as Dan Park")).get("code") ?? "";
    const wrong = await redeem(DEMO_IDS.tenants.northwind, code, { code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe("invalid_grant");
    expect(wrong.body.error_codes).toEqual([501481]);
    const redirectMismatch = await redeem(DEMO_IDS.tenants.northwind, code, {
      code_verifier: verifier,
      redirect_uri: "http://localhost:3000/other",
    });
    expect(redirectMismatch.body.error_codes).toEqual([500112]);
    const ok = await redeem(DEMO_IDS.tenants.northwind, code, { code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(claimsOf(String(ok.body.id_token)).roles).toBeUndefined();
    const again = await redeem(DEMO_IDS.tenants.northwind, code, { code_verifier: verifier });
    expect(again.body).toMatchObject({ error: "invalid_grant", error_codes: [54005] });
    const garbage = await redeem(DEMO_IDS.tenants.northwind, "not-a-code");
    expect(garbage.body).toMatchObject({ error: "invalid_grant", error_codes: [9002313] });
  });

  it("requires client authentication at the code redemption (7000218)", async () => {
    const browser = new Browser(emu);
    const code =
      resultParams(
        await browser.click(await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind)), "Sign in as Olivia Martin"),
      ).get("code") ?? "";
    const result = await redeem(DEMO_IDS.tenants.northwind, code, { client_secret: undefined });
    expect(result.status).toBe(401);
    expect(result.body.error_codes).toEqual([7000218]);
  });

  it("answers response_mode=form_post with an auto-submitting form", async () => {
    const browser = new Browser(emu);
    const page = await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind, { response_mode: "form_post" }));
    const posted = await browser.click(page, "Sign in as Sam Taylor");
    expect(posted.status).toBe(200);
    expect(posted.html).toContain(`action="${REDIRECT_URI}"`);
    expect(posted.html).toContain("document.forms[0].submit()");
    const fields = resultParams(posted);
    expect(fields.get("code")).toBeTruthy();
    expect(fields.get("state")).toBe("st-123");
  });

  it("declining consent returns access_denied with AADSTS65004", async () => {
    const browser = new Browser(emu);
    const consent = await browser.click(
      await browser.open(authorizeUrl(DEMO_IDS.tenants.contoso)),
      "Sign in as Lee Gu",
    );
    const result = resultParams(await browser.click(consent, "Cancel"));
    expect(result.get("error")).toBe("access_denied");
    expect(result.get("error_description")).toMatch(/^AADSTS65004: /);
  });

  it("refreshes into a delegated Dataverse token for an environment user (user_impersonation)", async () => {
    const browser = new Browser(emu);
    const code =
      resultParams(
        await browser.click(await browser.open(authorizeUrl(DEMO_IDS.tenants.fabrikam)), "Sign in as Diego Siciliani"),
      ).get("code") ?? "";
    const first = await redeem(DEMO_IDS.tenants.fabrikam, code);
    const refreshed = await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
      grant_type: "refresh_token",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      refresh_token: String(first.body.refresh_token),
      scope: `${emu.environmentUrl("fabrikam")}/user_impersonation offline_access`,
    });
    expect(refreshed.status).toBe(200);
    const claims = claimsOf(String(refreshed.body.access_token));
    expect(claims).toMatchObject({
      aud: emu.environmentUrl("fabrikam"),
      scp: "user_impersonation",
      idtyp: "user",
      upn: "diego@fabrikam.onmicrosoft.com",
      ver: "1.0",
    });
    const whoAmI = await dataverse(emu, "fabrikam", "/api/data/v9.2/WhoAmI", String(refreshed.body.access_token));
    expect(whoAmI.status).toBe(200);
    const me = await dataverse(
      emu,
      "fabrikam",
      `/api/data/v9.2/systemusers(${String(whoAmI.json.UserId)})?$select=fullname`,
      String(refreshed.body.access_token),
    );
    expect(me.json.fullname).toBe("Diego Siciliani");
    const tailspin = await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
      grant_type: "refresh_token",
      client_id: emu.scenario.app.clientId,
      client_secret: secretOf(emu),
      refresh_token: "garbage",
    });
    expect(tailspin.body.error).toBe("invalid_grant");
  });

  it("prompt=none uses the session: login_required without, a code with it", async () => {
    const browser = new Browser(emu);
    const before = resultParams(await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind, { prompt: "none" })));
    expect(before.get("error")).toBe("login_required");
    await browser.click(await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind)), "Sign in as Sam Taylor");
    const after = resultParams(await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind, { prompt: "none" })));
    expect(after.get("code")).toBeTruthy();
  });

  it("a non-admin in a tenant without user consent gets AADSTS90094", async () => {
    const scenario = structuredClone(emu.scenario);
    const contoso = scenario.tenants.find((t) => t.id === DEMO_IDS.tenants.contoso);
    if (contoso) contoso.userConsentAllowed = false;
    emu.admin.replaceScenario(scenario);
    const browser = new Browser(emu);
    const result = resultParams(
      await browser.click(await browser.open(authorizeUrl(DEMO_IDS.tenants.contoso)), "Sign in as Lee Gu"),
    );
    expect(result.get("error")).toBe("access_denied");
    expect(result.get("error_description")).toMatch(/^AADSTS90094: /);
  });

  it("serves the userinfo endpoint of the discovery document for the Graph access token", async () => {
    const browser = new Browser(emu);
    const code =
      resultParams(
        await browser.click(await browser.open(authorizeUrl(DEMO_IDS.tenants.northwind)), "Sign in as Sam Taylor"),
      ).get("code") ?? "";
    const tokens = await redeem(DEMO_IDS.tenants.northwind, code);
    const response = await vfetch(`${emu.authorityHost}/oidc/userinfo`, {
      headers: { authorization: `Bearer ${String(tokens.body.access_token)}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "Sam Taylor", email: "sam.support@northwind.onmicrosoft.com" });
    expect(errorOf({}).code).toBe("");
  });
});
