// The marketplace SaaS offer (issue 22) in process, with real clients on the other side: the emulator's marketplace
// resolves and activates through msal-node's token, and POSTs its notifications — with its Entra-issued bearer
// token — over HTTP to the portal's webhook route, served here by a plain node:http server. Lifecycle events go to
// a receiver that checks their signature. Every refusal leaves the subscription and the audit trail as they were.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateKeyPair, SignJWT, decodeJwt } from "jose";
import {
  DEMO_IDS,
  demoScenario,
  startEmulator,
  testCredentials,
  type EmulatorHandle,
} from "@tenant-onboarding/emulator";
import { usePortalDatabase } from "../support/portal-database";
import type { TestDatabaseKind } from "../support/databases";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { setTestEnv } from "../support/config";

export function marketplaceSuite(kind: TestDatabaseKind) {
  const EVENTS_SECRET = "whsec-marketplace-0123456789abcdefghij";
  let emu: EmulatorHandle;
  let hook: Server;
  let hookUrl: string;
  let events: WebhookReceiver;
  /** What the portal's webhook answered, in order. */
  const answers: Array<{ status: number; body: Record<string, unknown> }> = [];

  beforeAll(async () => {
    emu = await startEmulator({ scenario: demoScenario({ credentials: testCredentials() }) });
    events = await startWebhookReceiver(EVENTS_SECRET);
    setTestEnv({
      ENTRA_AUTHORITY_HOST: emu.authorityHost,
      ENTRA_CLIENT_ID: DEMO_IDS.clientId,
      ENTRA_CLIENT_SECRET: testCredentials().secret.value,
      ENTRA_HOME_TENANT_ID: DEMO_IDS.tenants.northwind,
      OUTBOUND_TIMEOUT_MS: "5000",
      MARKETPLACE_API_URL: emu.marketplaceApiUrl,
      MARKETPLACE_ACCEPTED_PLANS: "starter,professional",
      MARKETPLACE_MAX_QUANTITY: "50",
      WEBHOOK_URL: events.url,
      WEBHOOK_SECRET: EVENTS_SECRET,
    });
    // The portal's route, reached over HTTP as Microsoft reaches it.
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const { POST } = await import("@/app/api/marketplace/webhook/route");
          const headers = new Headers();
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
          const response = await POST(
            new Request(`http://localhost${req.url ?? "/"}`, { method: "POST", headers, body: Buffer.concat(chunks) }),
          );
          const text = await response.text();
          answers.push({ status: response.status, body: JSON.parse(text) as Record<string, unknown> });
          res.writeHead(response.status, { "content-type": "application/json" }).end(text);
        })().catch((error: unknown) => {
          answers.push({ status: 500, body: { error: String(error) } });
          res.writeHead(500).end();
        });
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/api/marketplace/webhook`;
  }, 60_000);
  usePortalDatabase(kind);
  afterAll(async () => {
    await emu?.close();
    await events?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });
  beforeEach(() => {
    emu.admin.marketplace.configure({
      landingPageUrl: "http://localhost:3000/consent",
      webhookUrl: hookUrl,
      settings: { ackTimeoutSeconds: 8, webhookRetryIntervalMs: 60_000 },
    });
    answers.length = 0;
  });

  const db = async () => (await import("@/lib/db/client")).db();
  const purchase = () => import("@/lib/subscriptions/purchase");

  function customerSession(tenantId: string, name = "Megan Bowen") {
    return {
      id: randomUUID(),
      kind: "customer" as const,
      entraTenantId: tenantId,
      tenantId,
      userObjectId: randomUUID(),
      userName: name,
      userPrincipalName: `someone@${tenantId}.example`,
      appRoles: [],
      tenantAdmin: true,
      authenticatedAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
    };
  }

  /** A purchase in the emulated marketplace, landed and activated by its beneficiary (Contoso). */
  async function activePurchase(planId = "starter", quantity?: number): Promise<string> {
    const bought = emu.admin.marketplace.purchase({
      planId,
      ...(quantity ? { quantity } : {}),
      tenant: "Contoso",
      user: "megan",
    });
    const landed = await (await purchase()).landFromMarketplace(bought.token);
    if (landed.kind !== "purchase") throw new Error(`landing: ${landed.kind}`);
    await (
      await db()
    ).tenant.upsert({ where: { id: DEMO_IDS.tenants.contoso }, create: { id: DEMO_IDS.tenants.contoso }, update: {} });
    const activated = await (
      await purchase()
    ).activateAfterSignIn(customerSession(DEMO_IDS.tenants.contoso), landed.purchase.reference);
    expect(activated.kind).toBe("activated");
    return bought.subscriptionId;
  }

  async function held(id: string) {
    return (await db()).marketplaceSubscription.findUniqueOrThrow({
      where: { id },
      include: { operations: { orderBy: { receivedAt: "asc" } } },
    });
  }

  async function auditCount(id: string) {
    return (await db()).auditEvent.count({ where: { targetId: id } });
  }

  /** POSTs to the portal's webhook as anyone could. */
  async function post(body: unknown, authorization?: string) {
    const response = await fetch(hookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function settle() {
    await emu.admin.marketplace.idle();
    await (await import("@/lib/webhooks")).webhookDeliveryIdle();
  }

  describe("landing and activation", () => {
    it("resolves the token once (a second landing changes nothing), activates only for the beneficiary's organisation, and only once", async () => {
      const bought = emu.admin.marketplace.purchase({
        planId: "professional",
        quantity: 12,
        tenant: "Contoso",
        user: "megan",
      });
      emu.admin.clearRequestLog();
      const { landFromMarketplace, activateAfterSignIn } = await purchase();
      const first = await landFromMarketplace(bought.token);
      expect(first).toMatchObject({
        kind: "purchase",
        purchase: {
          subscriptionId: bought.subscriptionId,
          planId: "professional",
          quantity: 12,
          status: "PENDING",
          beneficiaryEmail: "megan@contoso.onmicrosoft.com",
        },
      });
      if (first.kind !== "purchase") return;
      // A form decoder turned '+' into ' ' (M-81): the same purchase.
      expect(await landFromMarketplace(bought.token.replace(/\+/g, " "))).toMatchObject({
        kind: "purchase",
        purchase: { subscriptionId: bought.subscriptionId },
      });
      expect(
        (await (await db()).auditEvent.findMany({ where: { targetId: bought.subscriptionId } })).map((e) => e.action),
      ).toEqual(["subscription.resolved"]);

      // Fabrikam's administrator signed in: told who must, nothing changed, nothing sent to Microsoft.
      const other = await activateAfterSignIn(
        customerSession(DEMO_IDS.tenants.fabrikam, "Diego Siciliani"),
        first.purchase.reference,
      );
      expect(other).toMatchObject({
        kind: "other-organisation",
        purchase: { beneficiaryEmail: "megan@contoso.onmicrosoft.com" },
      });
      expect((await held(bought.subscriptionId)).status).toBe("PENDING");

      await (
        await db()
      ).tenant.upsert({
        where: { id: DEMO_IDS.tenants.contoso },
        create: { id: DEMO_IDS.tenants.contoso },
        update: {},
      });
      expect(
        await activateAfterSignIn(customerSession(DEMO_IDS.tenants.contoso), first.purchase.reference),
      ).toMatchObject({ kind: "activated" });
      expect(
        await activateAfterSignIn(customerSession(DEMO_IDS.tenants.contoso), first.purchase.reference),
      ).toMatchObject({ kind: "already-active" });
      const calls = emu.requestLog().filter((e) => e.kind === "marketplace");
      expect(calls.map((e) => `${e.method} ${e.path.replace(bought.subscriptionId, "{id}")} ${e.status}`)).toEqual([
        "POST /api/saas/subscriptions/resolve 200",
        "POST /api/saas/subscriptions/resolve 200",
        "POST /api/saas/subscriptions/{id}/activate 200",
      ]);
      expect(emu.admin.marketplace.subscription(bought.subscriptionId)).toMatchObject({
        saasSubscriptionStatus: "Subscribed",
      });
      expect(await held(bought.subscriptionId)).toMatchObject({
        status: "SUBSCRIBED",
        tenantId: DEMO_IDS.tenants.contoso,
        activatedByName: "Megan Bowen",
      });
      await settle();
      const activated = events.received.filter(
        (e) =>
          e.json.type === "subscription.activated" &&
          (e.json.data as Record<string, unknown>).subscriptionId === bought.subscriptionId,
      );
      expect(activated).toHaveLength(1);
      expect(activated[0]).toMatchObject({
        signatureValid: true,
        json: {
          tenantId: DEMO_IDS.tenants.contoso,
          data: { planId: "professional", quantity: 12, status: "subscribed" },
        },
      });
    });

    it("tells an expired or unknown token from a purchase, without a 500", async () => {
      const { landFromMarketplace } = await purchase();
      const bought = emu.admin.marketplace.purchase({ planId: "starter", tenant: "Contoso", user: "megan" });
      emu.admin.marketplace.expireTokens(bought.subscriptionId);
      expect(await landFromMarketplace(bought.token)).toEqual({ kind: "unknown-token" });
      expect(await landFromMarketplace("not a token <script>")).toEqual({ kind: "unknown-token" });
      expect(await (await db()).marketplaceSubscription.count({ where: { id: bought.subscriptionId } })).toBe(0);
    });
  });

  describe("the webhook refuses or ignores, and nothing changes", () => {
    it("refuses a call without a token, with a forged token, with another audience or another caller (401)", async () => {
      const id = await activePurchase();
      const before = { row: await held(id), audits: await auditCount(id) };
      const body = {
        id: randomUUID(),
        subscriptionId: id,
        action: "Unsubscribe",
        status: "Succeeded",
        timeStamp: new Date().toISOString(),
      };
      const genuine = await emu.admin.marketplace.webhookToken();
      const claims = decodeJwt(genuine);

      expect(await post(body)).toMatchObject({ status: 401 });
      // The same claims, signed with a key Entra never published.
      const { privateKey } = await generateKeyPair("RS256");
      const forged = await new SignJWT(claims as Record<string, unknown>)
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "forged" })
        .sign(privateKey);
      expect(await post(body, `Bearer ${forged}`)).toMatchObject({ status: 401 });
      // Genuinely signed, but for another app (audience) or to another caller than the marketplace's app.
      const otherAudience = await emu.admin.issueToken(
        { ...claims, aud: "11111111-2222-3333-4444-555555555555" },
        { v1Header: false },
      );
      expect(await post(body, `Bearer ${otherAudience}`)).toMatchObject({ status: 401 });
      const otherCaller = await emu.admin.issueToken({ ...claims, azp: DEMO_IDS.clientId }, { v1Header: false });
      expect(await post(body, `Bearer ${otherCaller}`)).toMatchObject({ status: 401 });
      const expired = await emu.admin.issueToken(
        { ...claims, iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600 },
        { v1Header: false },
      );
      expect(await post(body, `Bearer ${expired}`)).toMatchObject({ status: 401 });
      const otherTenant = await emu.admin.issueToken(
        { ...claims, tid: DEMO_IDS.tenants.fabrikam, iss: `${emu.authorityHost}/${DEMO_IDS.tenants.fabrikam}/v2.0` },
        { v1Header: false },
      );
      expect(await post(body, `Bearer ${otherTenant}`)).toMatchObject({ status: 401 });
      // Microsoft's own token is accepted; the body then decides (400 for no operation).
      expect(await post({ hello: "world" }, `Bearer ${genuine}`)).toMatchObject({ status: 400 });

      expect(await held(id)).toEqual(before.row);
      expect(await auditCount(id)).toBe(before.audits);
    });

    it("ignores an operation Get Operation does not confirm (unknown id, another action) with 400", async () => {
      const id = await activePurchase();
      const before = { row: await held(id), audits: await auditCount(id) };
      const bearer = `Bearer ${await emu.admin.marketplace.webhookToken()}`;
      expect(
        await post({ id: randomUUID(), subscriptionId: id, action: "Unsubscribe", status: "Succeeded" }, bearer),
      ).toMatchObject({ status: 400, body: { type: expect.stringContaining("not-confirmed") } });
      // A real operation (a renewal) presented as a cancellation.
      emu.admin.marketplace.configure({ webhookUrl: null });
      const { operationId } = emu.admin.marketplace.operation(id, "Renew");
      emu.admin.marketplace.configure({ webhookUrl: hookUrl });
      expect(
        await post({ id: operationId, subscriptionId: id, action: "Unsubscribe", status: "Succeeded" }, bearer),
      ).toMatchObject({ status: 400, body: { type: expect.stringContaining("not-confirmed") } });
      expect(await held(id)).toEqual(before.row);
      expect(await auditCount(id)).toBe(before.audits);
    });

    it("handles a replayed operation id once: the repeated Suspend after a Reinstate changes nothing", async () => {
      const id = await activePurchase();
      const suspend = emu.admin.marketplace.operation(id, "Suspend");
      await settle();
      expect((await held(id)).status).toBe("SUSPENDED");
      const reinstate = emu.admin.marketplace.operation(id, "Reinstate");
      await settle();
      expect((await held(id)).status).toBe("SUBSCRIBED");
      // The portal accepted the Reinstate with PATCH operation: Microsoft's side agrees.
      expect(emu.admin.marketplace.subscription(id)).toMatchObject({ saasSubscriptionStatus: "Subscribed" });
      const before = { row: await held(id), audits: await auditCount(id) };
      emu.admin.marketplace.resend(suspend.operationId);
      await settle();
      expect(answers.at(-1)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
      expect(await held(id)).toEqual(before.row);
      expect(await auditCount(id)).toBe(before.audits);
      expect(before.row.operations.map((o) => [o.id, o.action, o.outcome])).toEqual([
        [suspend.operationId, "Suspend", "applied"],
        [reinstate.operationId, "Reinstate", "accepted"],
      ]);
      await settle();
      const types = events.received
        .filter((e) => (e.json.data as Record<string, unknown>).subscriptionId === id)
        .map((e) => e.json.type);
      expect(types).toEqual(["subscription.activated", "subscription.suspended", "subscription.reinstated"]);
    });

    it("never moves backwards: an older Suspend delivered after a newer Reinstate is ignored", async () => {
      const id = await activePurchase();
      // Microsoft's deliveries fail for a while; both operations happen meanwhile.
      emu.admin.marketplace.configure({ webhookUrl: "http://127.0.0.1:9/unreachable" });
      const suspend = emu.admin.marketplace.operation(id, "Suspend");
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reinstate = emu.admin.marketplace.operation(id, "Reinstate");
      await settle();
      emu.admin.marketplace.configure({ webhookUrl: hookUrl });
      emu.admin.marketplace.resend(reinstate.operationId);
      await settle();
      emu.admin.marketplace.resend(suspend.operationId);
      await settle();
      expect(answers.map((a) => a.body.outcome)).toEqual(["accepted", "ignored-stale"]);
      expect(await held(id)).toMatchObject({ status: "SUBSCRIBED", suspendedAt: null });
      expect(emu.admin.marketplace.subscription(id)).toMatchObject({ saasSubscriptionStatus: "Subscribed" });
    });

    it("accepts a notification with fields it does not know (Microsoft extends the schema), and refuses malformed bodies with 400", async () => {
      const id = await activePurchase();
      const bearer = `Bearer ${await emu.admin.marketplace.webhookToken()}`;
      expect(await post("{not json", bearer)).toMatchObject({ status: 400 });
      expect(await post({ id: "x", subscriptionId: id, action: "Suspend" }, bearer)).toMatchObject({ status: 400 });
      expect(await post([], bearer)).toMatchObject({ status: 400 });
      emu.admin.marketplace.configure({ webhookUrl: null });
      const suspend = emu.admin.marketplace.operation(id, "Suspend");
      const body = JSON.parse(
        emu.admin.marketplace.notifications().find((d) => d.operationId === suspend.operationId)!.body,
      ) as Record<string, unknown>;
      expect(await post({ ...body, resellerContext: { partnerId: "x" }, newFlag: true }, bearer)).toMatchObject({
        status: 200,
        body: { outcome: "applied" },
      });
      expect(await held(id)).toMatchObject({ status: "SUSPENDED" });
    });
  });

  describe("ChangePlan and ChangeQuantity, by the configured rule", () => {
    it("accepts a change to an accepted plan and rejects one to another plan, within Microsoft's window", async () => {
      const id = await activePurchase("starter");
      const accepted = emu.admin.marketplace.operation(id, "ChangePlan", { planId: "professional" });
      await settle();
      expect(answers.at(-1)).toMatchObject({ status: 200, body: { outcome: "accepted" } });
      expect(emu.admin.marketplace.subscription(id)).toMatchObject({ planId: "professional" });
      expect(await held(id)).toMatchObject({ planId: "professional" });

      const rejected = emu.admin.marketplace.operation(id, "ChangePlan", { planId: "enterprise" });
      await settle();
      expect(answers.at(-1)).toMatchObject({ status: 200, body: { outcome: "rejected" } });
      // Rejected with PATCH Failure well before Microsoft's 10 s would have accepted it.
      expect(emu.admin.marketplace.subscription(id)).toMatchObject({ planId: "professional" });
      expect(await held(id)).toMatchObject({ planId: "professional" });
      const ops = (await held(id)).operations;
      expect(ops.map((o) => [o.id, o.outcome, o.previousPlanId, o.planId])).toEqual([
        [accepted.operationId, "accepted", "starter", "professional"],
        [rejected.operationId, "rejected", "professional", "enterprise"],
      ]);
      await settle();
      const changed = events.received.filter(
        (e) =>
          e.json.type === "subscription.plan_changed" && (e.json.data as Record<string, unknown>).subscriptionId === id,
      );
      expect(changed.map((e) => e.json.data)).toEqual([
        {
          subscriptionId: id,
          offerId: "northwind-sync",
          planId: "professional",
          quantity: null,
          status: "subscribed",
          previousPlanId: "starter",
          previousQuantity: null,
        },
      ]);
    });

    it("rejects more seats than MARKETPLACE_MAX_QUANTITY and accepts fewer", async () => {
      const id = await activePurchase("professional", 10);
      emu.admin.marketplace.operation(id, "ChangeQuantity", { quantity: 80 });
      await settle();
      expect(answers.at(-1)).toMatchObject({ body: { outcome: "rejected" } });
      emu.admin.marketplace.operation(id, "ChangeQuantity", { quantity: 20 });
      await settle();
      expect(answers.at(-1)).toMatchObject({ body: { outcome: "accepted" } });
      expect(emu.admin.marketplace.subscription(id)).toMatchObject({ quantity: 20 });
      expect(await held(id)).toMatchObject({ quantity: 20 });
    });
  });

  describe("Unsubscribe", () => {
    it("cancels for good and tells the back end once", async () => {
      const id = await activePurchase();
      const gone = emu.admin.marketplace.operation(id, "Unsubscribe");
      await settle();
      expect(await held(id)).toMatchObject({ status: "UNSUBSCRIBED", unsubscribedAt: expect.any(Date) });
      emu.admin.marketplace.resend(gone.operationId);
      await settle();
      expect(answers.at(-1)).toMatchObject({ body: { outcome: "duplicate" } });
      const unsubscribed = events.received.filter(
        (e) =>
          e.json.type === "subscription.unsubscribed" && (e.json.data as Record<string, unknown>).subscriptionId === id,
      );
      expect(unsubscribed).toHaveLength(1);
      expect(unsubscribed[0]!.signatureValid).toBe(true);
    });
  });

  describe("the customer's own subscription", () => {
    it("is read within the customer's tenant scope only", async () => {
      const id = await activePurchase("starter");
      // As the connection's status page reads it: with the tenant, in one statement.
      const { getTenantWithSubscription } = await import("@/lib/data/tenants");
      const { testCustomerScope } = await import("../support/customer-scope");
      const contoso = await getTenantWithSubscription(await testCustomerScope(DEMO_IDS.tenants.contoso));
      expect(contoso?.tenant.id).toBe(DEMO_IDS.tenants.contoso);
      expect(contoso?.subscription).toMatchObject({ id, status: "SUBSCRIBED", tenantId: DEMO_IDS.tenants.contoso });
      const fabrikam = await getTenantWithSubscription(await testCustomerScope(DEMO_IDS.tenants.fabrikam));
      // Another tenant's scope never sees it (whether or not that tenant has signed in here).
      expect(fabrikam?.subscription ?? null).toBeNull();
      expect((await held(id)).tenantId).toBe(DEMO_IDS.tenants.contoso);
    });
  });
}
