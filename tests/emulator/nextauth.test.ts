/**
 * next-auth's judge: `Auth` from @auth/core (the engine of next-auth v5) with the
 * `microsoft-entra-id` provider, driven through sign-in → the emulated account picker → callback →
 * session. The provider's multi-tenant logic (literal {tenantid}, re-discovery by `tid`, exact
 * issuer match through oauth4webapi) runs unmodified against the emulator's /common authority.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth } from "@auth/core";
import type { AuthConfig } from "@auth/core";
import MicrosoftEntraID from "@auth/core/providers/microsoft-entra-id";
import { startEmulator, type EmulatorHandle, CONSUMER_TENANT_ID, DEMO_IDS } from "@tenant-onboarding/emulator";
import { Browser } from "./helpers";

const APP_ORIGIN = "http://localhost:3000";
let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

function authConfig(): AuthConfig {
  return {
    secret: "emulator-test-secret-emulator-test-secret",
    trustHost: true,
    basePath: "/api/auth",
    // The refused personal account is expected; keep other errors visible.
    logger: { error: (error) => (error.name === "AccessDenied" ? undefined : console.error(error)) },
    providers: [
      MicrosoftEntraID({
        clientId: emu.scenario.app.clientId,
        clientSecret: emu.scenario.app.secrets[0]?.value ?? "",
        // The provider only recognises tenant segments on microsoftonline.com hosts; with /common it
        // substitutes `tid` itself (docs/architecture.md "next-auth and a multi-tenant issuer").
        issuer: `${emu.authorityHost}/common/v2.0`,
        authorization: { params: { scope: "openid profile email" } },
        // The default profile() fetches a photo from Graph; the claims are all we need.
        profile: (profile) => ({
          id: String(profile.sub),
          name: String(profile.name),
          email: String(profile.email),
          tid: profile.tid,
        }),
      }),
    ],
    callbacks: {
      // Gate tenants with the ID token's tid (refuse personal accounts).
      signIn: ({ profile }) => profile?.tid !== CONSUMER_TENANT_ID,
      jwt: ({ token, profile }) =>
        profile ? { ...token, tid: profile.tid, oid: profile.oid, roles: profile.roles } : token,
      session: ({ session, token }) => ({ ...session, tid: token.tid, oid: token.oid, roles: token.roles }),
    },
  };
}

/** A cookie jar for the app's own cookies (the emulator's are kept by Browser). */
class AppClient {
  private readonly cookies = new Map<string, string>();

  private store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith("http") ? path : `${APP_ORIGIN}${path}`;
    const headers = new Headers(init.headers);
    headers.set("cookie", this.header());
    const response = await Auth(new Request(url, { ...init, headers }), authConfig());
    this.store(response);
    return response;
  }
}

async function signIn(upnLabel: string): Promise<{ app: AppClient; callback: Response }> {
  const app = new AppClient();
  const { csrfToken } = (await (await app.request("/api/auth/csrf")).json()) as { csrfToken: string };
  const start = await app.request("/api/auth/signin/microsoft-entra-id", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${APP_ORIGIN}/dashboard` }).toString(),
  });
  expect(start.status).toBe(302);
  const authorizeUrl = start.headers.get("location") ?? "";
  expect(authorizeUrl.startsWith(`${emu.authorityHost}/common/oauth2/v2.0/authorize?`)).toBe(true);
  const browser = new Browser(emu);
  let step = await browser.click(await browser.open(authorizeUrl), upnLabel);
  if (step.status === 200 && step.html?.includes("Permissions requested")) step = await browser.click(step, "Accept");
  expect(step.status).toBe(302);
  const callback = await app.request(step.location ?? "");
  return { app, callback };
}

describe("next-auth (@auth/core) microsoft-entra-id provider against the emulator", () => {
  it("signs in a home-tenant user and keeps tid, oid and app roles in the session", async () => {
    const { app, callback } = await signIn("Sign in as Sam Taylor");
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe(`${APP_ORIGIN}/dashboard`);
    const session = (await (await app.request("/api/auth/session")).json()) as Record<string, unknown>;
    expect(session.user).toMatchObject({ name: "Sam Taylor", email: "sam.support@northwind.onmicrosoft.com" });
    expect(session.tid).toBe(DEMO_IDS.tenants.northwind);
    expect(session.roles).toEqual(["Support.Operator", "Support.Admin"]);
  });

  it("signs in a customer admin from another tenant through /common (issuer re-discovered by tid)", async () => {
    const { app, callback } = await signIn("Sign in as Diego Siciliani");
    expect(callback.headers.get("location")).toBe(`${APP_ORIGIN}/dashboard`);
    const session = (await (await app.request("/api/auth/session")).json()) as Record<string, unknown>;
    expect(session.tid).toBe(DEMO_IDS.tenants.fabrikam);
    const token = emu
      .requestLog()
      .filter((e) => e.kind === "entra.token")
      .at(-1);
    expect(token).toMatchObject({ grantType: "authorization_code", clientAuth: "client_secret_basic", status: 200 });
  });

  it("lets signIn() refuse a personal Microsoft account by its tid", async () => {
    const { callback } = await signIn("Sign in as Alex Johnson");
    expect(callback.headers.get("location")).toContain("error=AccessDenied");
  });
});
