/**
 * Re-authentication at the emulated authorize endpoint (docs/protocol/entra.md "Re-authentication"): single sign-on
 * keeps the time the user last authenticated, `prompt=login` and a `max_age` shorter than the session's age make
 * the sign-in a new authentication, `auth_time` is in the ID token as the registration's optional claim.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, DEMO_IDS } from "@tenant-onboarding/emulator";
import { Browser, claimsOf, REDIRECT_URI, resultParams, secretOf, tokenRequest } from "./helpers";

let emu: EmulatorHandle;
const NORTHWIND = DEMO_IDS.tenants.northwind;
const DAN = "Sign in as Dan Park";

beforeAll(async () => {
  emu = await startEmulator();
});
beforeEach(() => {
  emu.admin.reset();
});
afterAll(async () => {
  await emu.close();
});

function authorizeUrl(params: Record<string, string> = {}): string {
  const url = new URL(`${emu.authorityHost}/${NORTHWIND}/oauth2/v2.0/authorize`);
  const all = {
    client_id: emu.scenario.app.clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile",
    state: "s",
    nonce: "n",
    ...params,
  };
  for (const [k, v] of Object.entries(all)) url.searchParams.set(k, v);
  return url.toString();
}

/** Signs in through the picker (or silently with prompt=none) and returns the ID token's claims. */
async function signIn(browser: Browser, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const first = await browser.open(authorizeUrl(params));
  const result = params.prompt === "none" ? first : await browser.click(first, DAN);
  const code = resultParams(result).get("code");
  expect(code, resultParams(result).toString()).toBeTruthy();
  const tokens = await tokenRequest(emu, NORTHWIND, {
    grant_type: "authorization_code",
    client_id: emu.scenario.app.clientId,
    client_secret: secretOf(emu),
    code: code!,
    redirect_uri: REDIRECT_URI,
  });
  expect(tokens.status).toBe(200);
  return claimsOf(String(tokens.body.id_token));
}

const now = () => Math.floor(Date.now() / 1000);

describe("auth_time and re-authentication", () => {
  it("keeps the authentication time through single sign-on; prompt=login and an exceeded max_age renew it", async () => {
    const browser = new Browser(emu);
    const first = await signIn(browser);
    expect(Math.abs(Number(first.auth_time) - now())).toBeLessThanOrEqual(2);

    emu.admin.ageSignIns(7200);
    const sso = await signIn(browser);
    expect(sso.auth_time).toBe(Number(first.auth_time) - 7200);
    // A max_age longer than the session's age is still single sign-on.
    expect((await signIn(browser, { max_age: "86400" })).auth_time).toBe(Number(first.auth_time) - 7200);

    const renewed = await signIn(browser, { max_age: "3600" });
    expect(Math.abs(Number(renewed.auth_time) - now())).toBeLessThanOrEqual(2);
    expect(Number(renewed.iat)).toBeGreaterThanOrEqual(Number(renewed.auth_time));

    emu.admin.ageSignIns(600);
    expect(Number((await signIn(browser, { max_age: "3600" })).auth_time)).toBe(Number(renewed.auth_time) - 600);
    expect(Math.abs(Number((await signIn(browser, { prompt: "login" })).auth_time) - now())).toBeLessThanOrEqual(2);
    emu.admin.ageSignIns(30);
    expect(Math.abs(Number((await signIn(browser, { max_age: "0" })).auth_time) - now())).toBeLessThanOrEqual(2);
  });

  it("prompt=none answers login_required when the session is older than max_age, a code when it is not", async () => {
    const browser = new Browser(emu);
    await signIn(browser);
    emu.admin.ageSignIns(7200);
    const stale = resultParams(await browser.open(authorizeUrl({ prompt: "none", max_age: "3600" })));
    expect(stale.get("error")).toBe("login_required");
    expect((await signIn(browser, { prompt: "none", max_age: "86400" })).sub).toBeTruthy();
  });

  it("refuses a max_age that is not a whole number of seconds", async () => {
    const browser = new Browser(emu);
    for (const value of ["-1", "1.5", "soon", ""]) {
      const refused = resultParams(await browser.open(authorizeUrl({ max_age: value })));
      expect(refused.get("error"), value).toBe("invalid_request");
      expect(refused.get("error_description"), value).toContain("max_age");
    }
  });

  it("leaves auth_time out of the ID token of a registration without that optional claim", async () => {
    const scenario = structuredClone(emu.scenario);
    scenario.app.idTokenOptionalClaims = [];
    emu.admin.replaceScenario(scenario);
    expect((await signIn(new Browser(emu))).auth_time).toBeUndefined();
  });
});
