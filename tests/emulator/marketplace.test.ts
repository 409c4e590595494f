/**
 * The emulated commercial marketplace (docs/protocol/marketplace.md), driven by real clients: msal-node gets the
 * publisher's token for the Marketplace API's resource, fetch calls the Fulfillment API v2, and a real HTTP server
 * receives the webhook notifications and checks their Entra-issued bearer token against the emulator's JWKS.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import {
  DEMO_IDS,
  demoScenario,
  MARKETPLACE_APP_ID,
  startEmulator,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { secretOf, tokenRequest, vfetch } from "./helpers";

type Received = { authorization: string | undefined; body: Record<string, unknown> };

let emu: EmulatorHandle;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** What the receiver answers next (a queue; 200 when empty). */
const answers: number[] = [];

beforeAll(async () => {
  emu = await startEmulator({ scenario: demoScenario() });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/marketplace/webhook`;
});
afterAll(async () => {
  await emu.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(() => {
  emu.admin.reset();
  emu.admin.marketplace.configure({
    landingPageUrl: "https://portal.example/consent",
    webhookUrl: receiverUrl,
    settings: { webhookRetryIntervalMs: 50, ackTimeoutSeconds: 10 },
  });
  received.length = 0;
  answers.length = 0;
});

let cachedToken: string | undefined;

/** The publisher's token, as the portal gets it: msal-node, client credentials, the marketplace's resource (kept for its hour). */
async function publisherToken(): Promise<string> {
  cachedToken ??= await freshPublisherToken();
  return cachedToken;
}

async function freshPublisherToken(scope = `${MARKETPLACE_APP_ID}/.default`): Promise<string> {
  const client = new ConfidentialClientApplication({
    auth: {
      clientId: DEMO_IDS.clientId,
      clientSecret: secretOf(emu),
      authority: `${emu.authorityHost}/${DEMO_IDS.tenants.northwind}`,
      knownAuthorities: [new URL(emu.authorityHost).host],
    },
  });
  const result = await client.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
  if (!result?.accessToken) throw new Error("no token");
  return result.accessToken;
}

async function api(
  method: string,
  path: string,
  init: { token?: string | null; headers?: Record<string, string>; body?: unknown; version?: string | null } = {},
) {
  const token = init.token === undefined ? await publisherToken() : init.token;
  const version = init.version === undefined ? "2018-08-31" : init.version;
  const url = `${emu.marketplaceApiUrl}/saas/subscriptions${path}${version === null ? "" : `${path.includes("?") ? "&" : "?"}api-version=${version}`}`;
  const response = await vfetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

function buy(planId = "professional", quantity?: number) {
  return emu.admin.marketplace.purchase({
    planId,
    ...(quantity ? { quantity } : {}),
    tenant: "Contoso",
    user: "megan",
  });
}

describe("the publisher's token", () => {
  it("is issued for the resource 20e940b3-… by the publisher's tenant, and the API refuses everything else with 403", async () => {
    const token = await publisherToken();
    expect(decodeJwt(token)).toMatchObject({
      aud: MARKETPLACE_APP_ID,
      appid: DEMO_IDS.clientId,
      tid: DEMO_IDS.tenants.northwind,
    });
    expect((await api("GET", "", { token: null })).status).toBe(403);
    expect((await api("GET", "", { token: `${token.slice(0, -4)}AAAA` })).status).toBe(403);
    // A token of another audience (the app's own API) and one issued by a customer's tenant.
    const graph = await tokenRequest(emu, DEMO_IDS.tenants.northwind, {
      grant_type: "client_credentials",
      client_id: DEMO_IDS.clientId,
      client_secret: secretOf(emu),
      scope: `${emu.graphUrl}/.default`,
    });
    expect((await api("GET", "", { token: String(graph.body.access_token) })).status).toBe(403);
    const foreign = await tokenRequest(emu, DEMO_IDS.tenants.fabrikam, {
      grant_type: "client_credentials",
      client_id: DEMO_IDS.clientId,
      client_secret: secretOf(emu),
      scope: `${MARKETPLACE_APP_ID}/.default`,
    });
    expect(foreign.status).toBe(200);
    const refused = await api("GET", "", { token: String(foreign.body.access_token) });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: "Forbidden" } });
  });

  it("is not issued for the retired resource 62d94f6c-… (AADSTS500011)", async () => {
    const old = await tokenRequest(emu, DEMO_IDS.tenants.northwind, {
      grant_type: "client_credentials",
      client_id: DEMO_IDS.clientId,
      client_secret: secretOf(emu),
      scope: "62d94f6c-d599-489b-a797-3e10e42fbe22/.default",
    });
    expect(old.status).toBe(400);
    expect(String(old.body.error_description)).toMatch(/^AADSTS500011/);
  });

  it("requires api-version=2018-08-31 (400 ApiVersionUnspecified / UnsupportedApiVersion)", async () => {
    expect(await api("GET", "", { version: null })).toMatchObject({
      status: 400,
      json: { Error: { Code: "ApiVersionUnspecified" } },
    });
    expect(await api("GET", "", { version: "2022-01-01" })).toMatchObject({
      status: 400,
      json: { Error: { Code: "UnsupportedApiVersion" } },
    });
  });
});

describe("resolve and activate", () => {
  it("resolves the landing token (from its header, in every state), activates once, and says so with Microsoft's status codes", async () => {
    const { subscriptionId, token, landingUrl } = buy("professional", 12);
    expect(landingUrl).toBe(`https://portal.example/consent?token=${encodeURIComponent(token)}`);
    expect(token).toMatch(/[+/]/);
    const resolved = await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": token } });
    expect(resolved.status).toBe(200);
    expect(resolved.headers.get("x-ms-requestid")).toBe(resolved.headers.get("x-ms-correlationid"));
    expect(resolved.headers.get("x-ms-activityid")).toBeTruthy();
    expect(resolved.json).toMatchObject({
      id: subscriptionId,
      offerId: "northwind-sync",
      planId: "professional",
      quantity: 12,
      subscription: {
        saasSubscriptionStatus: "PendingFulfillmentStart",
        beneficiary: { tenantId: DEMO_IDS.tenants.contoso, emailId: "megan@contoso.onmicrosoft.com" },
        term: { termUnit: "P1M" },
      },
    });
    expect((resolved.json!.subscription as { term: Record<string, unknown> }).term).not.toHaveProperty("startDate");

    expect((await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": "not-a-token" } })).status).toBe(400);
    expect((await api("POST", "/resolve")).status).toBe(400);
    // The token is not a body field.
    expect((await api("POST", "/resolve", { body: { "x-ms-marketplace-token": token } })).status).toBe(400);

    expect(await api("POST", `/${subscriptionId}/activate`, { body: { planId: "enterprise" } })).toMatchObject({
      status: 400,
    });
    const activated = await api("POST", `/${subscriptionId}/activate`, {
      body: { planId: "professional", quantity: 12 },
    });
    expect(activated).toMatchObject({ status: 200, text: "" });
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({
      saasSubscriptionStatus: "Subscribed",
      term: { startDate: expect.stringMatching(/T00:00:00Z$/) },
    });
    // A second activation is refused (M-27); resolving still works in every state (M-19).
    expect((await api("POST", `/${subscriptionId}/activate`, { body: { planId: "professional" } })).status).toBe(400);
    expect((await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": token } })).json).toMatchObject({
      subscription: { saasSubscriptionStatus: "Subscribed" },
    });
  });

  it("refuses an expired landing token with 400", async () => {
    const { subscriptionId, token } = buy("starter");
    emu.admin.marketplace.expireTokens(subscriptionId);
    expect(await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": token } })).toMatchObject({
      status: 400,
      json: { error: { code: "InvalidValue" } },
    });
  });

  it("omits quantity for a plan that is not per seat, and answers 404 for an unknown subscription", async () => {
    const { token } = buy("starter");
    const resolved = await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": token } });
    expect(resolved.json).not.toHaveProperty("quantity");
    expect((await api("GET", "/4aea5574-281c-7b2f-de26-e0f8369bc2d2")).status).toBe(404);
    expect((await api("GET", "/not-an-id")).status).toBe(404);
  });

  it("lists every subscription, a page at a time with an absolute @nextLink", async () => {
    emu.admin.marketplace.configure({ settings: { pageSize: 2 } });
    for (let i = 0; i < 3; i++) buy("starter");
    const first = await api("GET", "");
    expect((first.json!.subscriptions as unknown[]).length).toBe(2);
    const next = String(first.json!["@nextLink"]);
    expect(next.startsWith(emu.marketplaceApiUrl)).toBe(true);
    const second = await vfetch(next, { headers: { authorization: `Bearer ${await publisherToken()}` } });
    const page = (await second.json()) as Record<string, unknown>;
    expect((page.subscriptions as unknown[]).length).toBe(1);
    expect(page).not.toHaveProperty("@nextLink");
  });
});

describe("operations and webhook notifications", () => {
  async function activated(planId = "professional", quantity = 5): Promise<string> {
    const { subscriptionId } = buy(planId, quantity);
    expect((await api("POST", `/${subscriptionId}/activate`, { body: { planId } })).status).toBe(200);
    return subscriptionId;
  }

  it("posts a ChangePlan with Microsoft's token and the 2023 payload; PATCH Success applies the plan", async () => {
    const subscriptionId = await activated();
    const { operationId } = emu.admin.marketplace.operation(subscriptionId, "ChangePlan", { planId: "enterprise" });
    await emu.admin.marketplace.idle();
    expect(received).toHaveLength(1);
    const [notification] = received;
    expect(notification!.body).toMatchObject({
      id: operationId,
      activityId: operationId,
      action: "ChangePlan",
      status: "InProgress",
      planId: "enterprise",
      subscriptionId,
      operationRequestSource: "Azure",
      purchaseToken: null,
      subscription: { planId: "professional" },
    });
    expect(String(notification!.body.timeStamp)).toMatch(/\.\d{7}Z$/);
    const bearer = /^Bearer (.+)$/.exec(notification!.authorization ?? "")?.[1] ?? "";
    const jwks = createRemoteJWKSet(new URL(`${emu.authorityHost}/${DEMO_IDS.tenants.northwind}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(bearer, jwks, {
      audience: DEMO_IDS.clientId,
      issuer: `${emu.authorityHost}/${DEMO_IDS.tenants.northwind}/v2.0`,
    });
    expect(payload).toMatchObject({ azp: MARKETPLACE_APP_ID, tid: DEMO_IDS.tenants.northwind });

    const op = await api("GET", `/${subscriptionId}/operations/${operationId}`);
    expect(op.json).toMatchObject({
      id: operationId,
      action: "ChangePlan",
      status: "InProgress",
      planId: "enterprise",
    });
    expect((await api("GET", `/${subscriptionId}/operations`)).json).toMatchObject({
      operations: [{ id: operationId }],
    });
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${operationId}`, { body: { status: "blah" } })).status,
    ).toBe(400);
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${operationId}`, { body: { status: "Success" } })).status,
    ).toBe(200);
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ planId: "enterprise" });
    expect((await api("GET", `/${subscriptionId}/operations/${operationId}`)).json).toMatchObject({
      status: "Succeeded",
    });
    // Answered already: a second PATCH conflicts.
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${operationId}`, { body: { status: "Failure" } })).status,
    ).toBe(409);
  });

  it("rejects a ChangeQuantity on PATCH Failure or a 4xx answer, and accepts it when the publisher stays silent", async () => {
    const subscriptionId = await activated();
    const first = emu.admin.marketplace.operation(subscriptionId, "ChangeQuantity", { quantity: 9 });
    await emu.admin.marketplace.idle();
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${first.operationId}`, { body: { status: "Failure" } }))
        .status,
    ).toBe(200);
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ quantity: 5 });

    answers.push(400);
    const second = emu.admin.marketplace.operation(subscriptionId, "ChangeQuantity", { quantity: 9 });
    await emu.admin.marketplace.idle();
    expect((await api("GET", `/${subscriptionId}/operations/${second.operationId}`)).json).toMatchObject({
      status: "Failed",
    });
    expect(emu.admin.marketplace.notifications().find((d) => d.operationId === second.operationId)).toMatchObject({
      state: "rejected",
      attempts: [{ status: 400 }],
    });

    emu.admin.marketplace.configure({ settings: { ackTimeoutSeconds: 0.3 } });
    const third = emu.admin.marketplace.operation(subscriptionId, "ChangeQuantity", { quantity: 9 });
    await emu.admin.marketplace.idle();
    await expect
      .poll(async () => (await api("GET", `/${subscriptionId}/operations/${third.operationId}`)).json?.status, {
        timeout: 5000,
      })
      .toBe("Succeeded");
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ quantity: 9 });
  });

  it("retries a notification the publisher does not answer with 200, then gives up and fails the operation", async () => {
    emu.admin.marketplace.configure({ settings: { webhookMaxAttempts: 3 } });
    const subscriptionId = await activated();
    answers.push(500, 503, 500);
    const { operationId } = emu.admin.marketplace.operation(subscriptionId, "ChangePlan", { planId: "enterprise" });
    await expect
      .poll(() => emu.admin.marketplace.notifications().find((d) => d.operationId === operationId)?.state, {
        timeout: 5000,
      })
      .toBe("failed");
    expect(received.map((r) => r.body.id)).toEqual([operationId, operationId, operationId]);
    expect((await api("GET", `/${subscriptionId}/operations/${operationId}`)).json).toMatchObject({ status: "Failed" });
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ planId: "professional" });
  });

  it("suspends at once (notify only), reinstates only when the publisher accepts, and unsubscribes for good", async () => {
    const subscriptionId = await activated("starter", 1);
    const suspend = emu.admin.marketplace.operation(subscriptionId, "Suspend");
    await emu.admin.marketplace.idle();
    expect(received.at(-1)!.body).toMatchObject({
      action: "Suspend",
      status: "Succeeded",
      subscription: { saasSubscriptionStatus: "Suspended" },
    });
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${suspend.operationId}`, { body: { status: "Success" } }))
        .status,
    ).toBe(409);
    expect(() => emu.admin.marketplace.operation(subscriptionId, "ChangePlan", { planId: "professional" })).toThrow(
      /Suspended/,
    );

    emu.admin.marketplace.configure({ settings: { ackTimeoutSeconds: 0.3 } });
    const reinstate = emu.admin.marketplace.operation(subscriptionId, "Reinstate");
    await emu.admin.marketplace.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Not acknowledged: still suspended, the operation outstanding.
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ saasSubscriptionStatus: "Suspended" });
    expect((await api("GET", `/${subscriptionId}/operations`)).json).toMatchObject({
      operations: [{ id: reinstate.operationId, action: "Reinstate", status: "InProgress" }],
    });
    expect(
      (await api("PATCH", `/${subscriptionId}/operations/${reinstate.operationId}`, { body: { status: "Success" } }))
        .status,
    ).toBe(200);
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ saasSubscriptionStatus: "Subscribed" });

    emu.admin.marketplace.operation(subscriptionId, "Unsubscribe");
    await emu.admin.marketplace.idle();
    expect(received.at(-1)!.body).toMatchObject({ action: "Unsubscribe", status: "Succeeded" });
    expect(() => emu.admin.marketplace.operation(subscriptionId, "Reinstate")).toThrow(/Unsubscribed/);
    expect((await api("POST", `/${subscriptionId}/activate`, { body: {} })).status).toBe(404);
  });

  it("cancels on the publisher's DELETE with 202 and an absolute Operation-Location, then notifies", async () => {
    const subscriptionId = await activated("starter", 1);
    const deleted = await api("DELETE", `/${subscriptionId}`);
    expect(deleted.status).toBe(202);
    const location = deleted.headers.get("operation-location") ?? "";
    expect(location.startsWith(`${emu.marketplaceApiUrl}/saas/subscriptions/${subscriptionId}/operations/`)).toBe(true);
    await emu.admin.marketplace.idle();
    expect(received.at(-1)!.body).toMatchObject({ action: "Unsubscribe", operationRequestSource: "Partner" });
    expect((await api("GET", `/${subscriptionId}`)).json).toMatchObject({ saasSubscriptionStatus: "Unsubscribed" });
  });
});

describe("the purchase page", () => {
  it("buys for the chosen user and sends the browser to the landing page with the token", async () => {
    const page = await vfetch(`${emu.authorityHost}/_emulator/marketplace`);
    expect(await page.text()).toContain("Buy and configure account");
    const response = await vfetch(`${emu.authorityHost}/_emulator/marketplace`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        form: "purchase",
        plan: "northwind-sync professional",
        quantity: "7",
        beneficiary: `${DEMO_IDS.tenants.fabrikam} ${emu.scenario.tenants.find((t) => t.id === DEMO_IDS.tenants.fabrikam)!.users[0]!.oid}`,
        purchaser: "",
      }).toString(),
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("https://portal.example/consent");
    const token = location.searchParams.get("token") ?? "";
    expect((await api("POST", "/resolve", { headers: { "x-ms-marketplace-token": token } })).json).toMatchObject({
      quantity: 7,
      subscription: { beneficiary: { tenantId: DEMO_IDS.tenants.fabrikam } },
    });
  });
});
