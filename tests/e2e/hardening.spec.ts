// What probes from outside the code found (issue 19): Auth.js's own sign-out, methods Next cannot handle,
// non-ASCII redirect targets, the server-action origin check, a prototype-named API parameter, the status of a
// refusal whatever the transport, and who may bring a disconnected tenant back. Each is driven over HTTP against
// the production build, as the probe that found it was.
import { readFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { expect, test, type APIResponse, type Browser, type Page } from "@playwright/test";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { emulator, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

const MEGAN = "megan@contoso.onmicrosoft.com"; // Contoso's Global Administrator
const PRADEEP = "pradeep@fabrikam.onmicrosoft.com"; // Fabrikam, no directory role: reads only

test.beforeEach(async () => {
  await emulator.reset();
});

async function signedIn(browser: Browser, upn: string, returnTo = "/onboarding"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, upn, returnTo);
  return page;
}

/** The build's server actions by name, with the pages that hold them (Next's own manifest). */
async function serverActions(): Promise<Map<string, { id: string; workers: string[] }>> {
  const manifest = JSON.parse(
    await readFile(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as {
    node: Record<string, { exportedName?: string; workers: Record<string, unknown> }>;
  };
  return new Map(
    Object.entries(manifest.node).map(([id, a]) => [a.exportedName ?? id, { id, workers: Object.keys(a.workers) }]),
  );
}

function expectSecurityHeaders(response: APIResponse, what: string) {
  const h = response.headers();
  expect(h["content-security-policy"], what).toContain("frame-ancestors 'none'");
  expect(h["x-frame-options"], what).toBe("DENY");
  expect(h["x-content-type-options"], what).toBe("nosniff");
  expect(h["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
}

test("Auth.js's own sign-out endpoint ends the session on the server: the old cookie no longer opens anything", async ({
  browser,
}) => {
  const page = await signedIn(browser, MEGAN);
  const cookies = await page.context().cookies();
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const signedOut = await page.request.post("/api/auth/signout", { form: { csrfToken }, maxRedirects: 0 });
  expect(signedOut.status()).toBe(302);

  // The same cookie values, replayed from another browser: signed out on the server too.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const onboarding = await replay.request.get("/onboarding", { maxRedirects: 0 });
  expect(onboarding.status()).toBe(307);
  expect(onboarding.headers().location).toMatch(/^\/signin\?returnTo=/);
  const replayPage = await replay.newPage();
  await replayPage.goto("/onboarding");
  await expect(replayPage).toHaveURL(/\/signin\?returnTo=%2Fonboarding$/);
  await replay.close();
});

test("TRACE, and methods Node parses but Next cannot handle, get a clean 405 with the security headers, never a 500", async ({
  request,
}) => {
  for (const url of [
    "/",
    "/onboarding",
    "/console/tenants",
    "/api/health",
    "/api/v1/connections",
    "/api/auth/session",
    "/no/such/page",
    "/_next/static/x.js",
  ]) {
    const response = await request.fetch(url, { method: "TRACE", maxRedirects: 0 });
    expect(response.status(), `TRACE ${url}`).toBe(405);
    expect(response.headers().allow, `TRACE ${url}`).toBe("GET, HEAD, POST");
    expectSecurityHeaders(response, `TRACE ${url}`);
    // TRACE echoes the request back (cross-site tracing): nothing of it may come back.
    expect(await response.text(), `TRACE ${url}`).not.toContain("cookie");
  }
  // Unknown methods are refused by Node's parser before any JavaScript runs: a 400, still with the headers.
  for (const method of ["TRACK", "BREW"]) {
    const response = await request.fetch("/", { method, maxRedirects: 0 });
    expect(response.status(), method).toBe(400);
    expectSecurityHeaders(response, method);
  }
});

test("non-ASCII return paths redirect percent-encoded, never 500 or a mangled path", async ({ browser }) => {
  const page = await signedIn(browser, MEGAN);
  const cases: Array<[string, string]> = [
    ["%2F%E3%80%80%2Fevil.example", "/%E3%80%80/evil.example"], // U+3000 IDEOGRAPHIC SPACE, above U+00FF
    ["%2F%C3%A9", "/%C3%A9"], // é, in Latin-1's range: sent raw it reads back as /Ã©
    ["%2Fonboarding%3Fq%3D%F0%9F%94%91", "/onboarding?q=%F0%9F%94%91"], // an astral character in the query
    ["%2Fonboarding%2F%25C3%25A9", "/onboarding/%C3%A9"], // already encoded: left as it is
  ];
  for (const [value, location] of cases) {
    for (const name of ["returnTo", "callbackUrl"]) {
      const response = await page.request.get(`/signin?${name}=${value}`, { maxRedirects: 0 });
      expect(response.status(), `${name}=${value}`).toBe(307);
      expect(response.headers().location, `${name}=${value}`).toBe(location);
    }
  }
  // A browser following the first one stays on the portal (its own 404 page).
  await page.goto("/signin?returnTo=%2F%E3%80%80%2Fevil.example");
  expect(new URL(page.url()).origin).toBe(e2e.baseURL);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a server action runs only when Origin is the portal's whole origin (scheme, host and port), whatever X-Forwarded-* say", async ({
  request,
}) => {
  const actions = await serverActions();
  const signIn = actions.get("signInWithMicrosoft")!;
  const post = (headers: Record<string, string>) =>
    request.post("/signin", {
      headers: {
        "Next-Action": signIn.id,
        "Content-Type": "text/plain;charset=UTF-8",
        Accept: "text/x-component",
        ...headers,
      },
      data: '["$K1"]',
      maxRedirects: 0,
    });
  const own = new URL(e2e.baseURL);
  const foreign: Array<Record<string, string>> = [
    { Origin: `https://${own.host}` }, // same host and port, another scheme
    { Origin: `${own.protocol}//${own.hostname}:${Number(own.port) + 1}` }, // another port
    { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" },
    { Origin: "https://evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https" },
    { Origin: `http://127.0.0.1:${own.port}` }, // the same server by another name than AUTH_URL's
  ];
  for (const headers of foreign) {
    const response = await post(headers);
    expect(response.status(), JSON.stringify(headers)).toBe(403);
    expectSecurityHeaders(response, JSON.stringify(headers));
  }
  // The portal's own origin still works (the action answers; a multipart form is what it expects, so its
  // own refusal of this shape is a redirect to /signin, not a 403).
  expect((await post({ Origin: e2e.baseURL })).status()).not.toBe(403);
});

test("an API parameter named __proto__ is refused like any other unknown parameter", async ({ request }) => {
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: DEMO_IDS.clientApps.backEnd,
      clientSecret: await emulator.clientAppSecret(DEMO_IDS.clientApps.backEnd),
      authority: `${e2e.emulatorURL}/${DEMO_IDS.tenants.northwind}`,
      knownAuthorities: [new URL(e2e.emulatorURL).host],
    },
  });
  const token = (await msal.acquireTokenByClientCredential({ scopes: [`api://${DEMO_IDS.clientId}/.default`] }))!
    .accessToken;
  const headers = { Authorization: `Bearer ${token}` };
  expect((await request.get("/api/v1/connections?limit=1", { headers })).status()).toBe(200);
  for (const query of ["__proto__=x", "%5F%5Fproto%5F%5F=x", "limit=1&__proto__=1", "colour=blue"]) {
    const response = await request.get(`/api/v1/connections?${query}`, { headers });
    expect(response.status(), query).toBe(400);
    expect(response.headers()["content-type"], query).toBe("application/problem+json");
    const body = (await response.json()) as { invalidParams: Array<{ name: string; reason: string }> };
    expect(body.invalidParams, query).toEqual([
      { name: query.includes("colour") ? "colour" : "__proto__", reason: "is not a parameter of this operation" },
    ]);
  }
});

test("a refusal is HTTP 403 whatever the transport: a console action called by a customer admin, a reader's no-JS form post", async ({
  browser,
}) => {
  const actions = await serverActions();
  const megan = await signedIn(browser, MEGAN);
  const invite = actions.get("createInvitationAction")!;
  // Posted to the page that holds the action, and to pages that do not (Next forwards those to one that does).
  for (const url of ["/console/invitations", "/onboarding", "/", "/signin"]) {
    const response = await megan.request.post(url, {
      headers: { "Next-Action": invite.id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify([{}, "$K1"]),
      maxRedirects: 0,
    });
    expect(response.status(), `createInvitationAction at ${url}`).toBe(403);
  }

  // A reader replays the disconnect form an administrator's page renders (a form that works without JavaScript).
  const customer = await stageCustomer({ name: "NoScript" });
  const admin = await signedIn(browser, customer.admin);
  const reader = await signedIn(browser, customer.user);
  await reader.setContent(await (await admin.request.get("/onboarding/disconnect")).text(), {
    waitUntil: "domcontentloaded",
  });
  const fields = await reader
    .locator("form:has(input[name=confirm])")
    .evaluate((form: HTMLFormElement) =>
      [...new FormData(form).entries()].map(([k, v]) => [k, String(v)] as [string, string]),
    );
  expect(fields.map(([k]) => k)).toEqual(expect.arrayContaining(["confirm", expect.stringMatching(/^\$ACTION_/)]));
  const multipart = Object.fromEntries(fields.map(([k, v]) => [k, k === "confirm" ? customer.domain : v]));
  // (Posted to a page that does not hold the action, Next answers 409 whoever asks: it cannot decode the form there.)
  const response = await reader.request.post("/onboarding/disconnect", {
    multipart,
    headers: { Origin: e2e.baseURL },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain("have access to this page");
  // Nothing happened: the reader still sees the tenant, connected as before.
  await reader.goto("/onboarding");
  await expect(reader.getByTestId("disconnected-notice")).toHaveCount(0);
  await expect(reader.getByTestId("read-only-notice")).toBeVisible();
  await reader.context().close();
  await admin.context().close();

  // The same for a reader's fetch action posted where Next forwards it.
  const pradeep = await signedIn(browser, PRADEEP);
  const remove = actions.get("removeEnvironmentAction")!;
  const forwarded = await pradeep.request.post("/onboarding/disconnect", {
    headers: { "Next-Action": remove.id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: "[]",
    maxRedirects: 0,
  });
  expect(forwarded.status()).toBe(403);
});

test("a reader signing in does not bring a disconnected tenant back; it is told who disconnected it and to ask an administrator", async ({
  browser,
}) => {
  const customer = await stageCustomer({ name: "Parted" });
  const admin = await signedIn(browser, customer.admin);
  await admin.goto("/onboarding/disconnect");
  await admin.getByLabel(/Type .* to confirm/).fill(customer.domain);
  await admin.getByRole("button", { name: "Disconnect my organisation" }).click();
  await expect(admin.getByRole("heading", { name: "Your organisation was disconnected" })).toBeVisible();

  const reader = await signedIn(browser, customer.user);
  const notice = reader.getByTestId("disconnected-notice");
  await expect(notice).toContainText(/disconnected by Parted Admin on \d{1,2} \w+ \d{4}/);
  await expect(notice).toContainText("ask an administrator");
  await expect(notice).toContainText("Global Administrator");

  // Staff still see it as disconnected.
  const staff = await signedIn(
    browser,
    "sam.support@northwind.onmicrosoft.com",
    `/console/tenants/${customer.tenantId}`,
  );
  await expect(staff.getByTestId("tenant-stage")).toHaveText("Disconnected (its data removed)");

  // An administrator's sign-in reconnects it: the reader's notice is gone.
  await signInAs(admin, customer.admin);
  await reader.goto("/onboarding");
  await expect(reader.getByTestId("read-only-notice")).toBeVisible();
  await expect(reader.getByTestId("disconnected-notice")).toHaveCount(0);
  await staff.reload();
  await expect(staff.getByTestId("tenant-stage")).not.toHaveText("Disconnected (its data removed)");
});

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

test("npm run demo listens on loopback only (HOST unset)", async () => {
  // The suite's portal is `npm run demo` (playwright.config.ts) and sets no HOST.
  expect(await accepts("127.0.0.1", e2e.port)).toBe(true);
  const external = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && a.family === "IPv4")
    .map((a) => a!.address);
  test.skip(external.length === 0, "this machine has no network interface but loopback");
  for (const address of external) expect(await accepts(address, e2e.port), address).toBe(false);
});

/**
 * Signs in again after the emulator aged every browser sign-in: the portal's cookies go (the emulator's stay), so the
 * new sign-in is single sign-on at the emulator and carries the old auth_time.
 */
async function signInWithAgedAuthentication(page: Page, upn: string, returnTo = "/onboarding") {
  await emulator.action("ageSignIns", { seconds: 2 * 3600 });
  await page.context().clearCookies({ domain: new URL(e2e.baseURL).hostname });
  await signInAs(page, upn, returnTo);
}

/** Sets whether a staged customer's user holds the Global Administrator directory role (in the emulator's scenario). */
async function setGlobalAdministrator(upn: string, admin: boolean) {
  const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
  const state = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()) as {
    scenario: { tenants: Array<{ users: Array<{ upn: string; wids: string[] }> }> };
  };
  const user = state.scenario.tenants.flatMap((t) => t.users).find((u) => u.upn === upn)!;
  user.wids = admin
    ? [...new Set([...user.wids, GLOBAL_ADMINISTRATOR])]
    : user.wids.filter((w) => w !== GLOBAL_ADMINISTRATOR);
  const put = await fetch(`${e2e.emulatorURL}/_emulator/scenario`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(state.scenario),
  });
  expect(put.ok).toBe(true);
}

test("destructive and setup actions need a sign-in from the last 60 minutes: an older one signs in again (max_age, prompt=login) and comes back", async ({
  browser,
}) => {
  const customer = await stageCustomer({ name: "Stale", environments: [{ name: "prod" }] });
  const page = await signedIn(browser, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.getByRole("status")).toContainText("was registered");

  // A sign-in whose authentication is two hours old (single sign-on at the emulator keeps auth_time).
  await signInWithAgedAuthentication(page, customer.admin);

  // The disconnect page asks for a new sign-in first, and the button asks Microsoft for one.
  await page.goto("/onboarding/disconnect");
  await expect(page).toHaveURL(/\/signin\?reauth=1&returnTo=%2Fonboarding%2Fdisconnect$/);
  await expect(page.getByRole("heading", { name: "Sign in again to continue" })).toBeVisible();
  await expect(page.getByText(/needs a sign-in from the last 60 minutes/)).toBeVisible();
  await page.getByRole("button", { name: "Sign in again with Microsoft" }).click();
  await page.waitForURL((url) => url.origin === e2e.emulatorURL);
  await expect(page.getByRole("heading", { name: "Sign in again", exact: true })).toBeVisible();
  const authorize = new URL(page.url());
  expect(authorize.searchParams.get("prompt")).toBe("login");
  expect(authorize.searchParams.get("max_age")).toBe("3600");
  expect(authorize.searchParams.get("login_hint")).toBe(customer.admin);
  await page.getByRole("button", { name: new RegExp(`\\(${customer.admin.replace(/\./g, "\\.")}\\)`) }).click();
  await expect(page).toHaveURL(`${e2e.baseURL}/onboarding/disconnect`);
  await expect(page.getByRole("button", { name: "Disconnect my organisation" })).toBeVisible();

  // A server action does the same: Remove on an environment, with the sign-in aged again.
  await signInWithAgedAuthentication(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByRole("button", { name: /^Remove / }).click();
  await page.getByRole("button", { name: /^Yes, remove / }).click();
  await expect(page).toHaveURL(/\/signin\?reauth=1&returnTo=%2Fonboarding%2Fenvironments$/);
  await page.getByRole("button", { name: "Sign in again with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(`\\(${customer.admin.replace(/\./g, "\\.")}\\)`) }).click();
  await expect(page).toHaveURL(`${e2e.baseURL}/onboarding/environments`);
  // Nothing was removed by the refused attempt; now it can be.
  await expect(page.getByRole("link", { name: customer.environmentName("prod") })).toBeVisible();
  await page.getByRole("button", { name: /^Remove / }).click();
  await page.getByRole("button", { name: /^Yes, remove / }).click();
  await expect(page.getByText("None yet. Register the first one below.")).toBeVisible();

  // The point of it: an administrator whose directory role was removed in Entra loses the power at the new sign-in.
  await signInWithAgedAuthentication(page, customer.admin);
  await setGlobalAdministrator(customer.admin, false);
  await page.goto("/onboarding/disconnect");
  await page.getByRole("button", { name: "Sign in again with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(`\\(${customer.admin.replace(/\./g, "\\.")}\\)`) }).click();
  await expect(page).toHaveURL(`${e2e.baseURL}/onboarding/disconnect`);
  await expect(page.getByRole("button", { name: "Disconnect my organisation" })).toHaveCount(0);
  await expect(page.getByTestId("read-only-notice")).toBeVisible();
});

test("a support admin's destructive console action needs a recent sign-in too; a fresh one goes straight through", async ({
  browser,
}) => {
  const actions = await serverActions();
  const revoke = actions.get("revokeInvitationAction")!;
  const sam = await signedIn(browser, "sam.support@northwind.onmicrosoft.com", "/console/invitations");
  const call = () =>
    sam.request.post("/console/invitations", {
      headers: {
        "Next-Action": revoke.id,
        "Content-Type": "text/plain;charset=UTF-8",
        Accept: "text/x-component",
        Origin: e2e.baseURL,
      },
      data: JSON.stringify(["$K1"]),
      maxRedirects: 0,
    });
  // Fresh: the action runs (and finds no such invitation) without a redirect.
  expect((await call()).headers()["x-action-redirect"]).toBeUndefined();
  await signInWithAgedAuthentication(sam, "sam.support@northwind.onmicrosoft.com", "/console/invitations");
  const stale = await call();
  expect(stale.headers()["x-action-redirect"]).toMatch(/^\/signin\?reauth=1&returnTo=%2Fconsole%2Finvitations;/);
});
