// Lifecycle webhooks (lib/webhooks/index.ts) end to end in process: the check engine against the emulator
// publishes connection.ready on an environment's first working check; revoking consent and disconnecting publish
// theirs; each delivery is signed, logged per attempt, and retried with backoff from the database.
// Each test stages its own customer (tests/support/emulator-customers.ts): the tests run alone and in any order.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { testCustomerScope } from "../support/customer-scope";
import { stageCustomer } from "../support/emulator-customers";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { setTestEnv } from "../support/config";

const SECRET = "whsec-test-0123456789abcdefghijklmnop";
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  setTestEnv({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET });
});
const harness = useCheckHarness("pglite");
afterAll(async () => {
  await receiver?.close();
});

const webhooks = () => import("@/lib/webhooks");
const db = async () => (await import("@/lib/db/client")).db();

/** A customer of its own with one environment, `prod`, whose application user is set up (its checks pass). */
function workingCustomer() {
  return stageCustomer(harness.emulator, { name: "Webhooks", environments: [{ name: "prod", appUser: "enabled" }] });
}

describe("connection.ready", () => {
  it("is sent, signed, with the customer reference, on an environment's first working check only", async () => {
    const { webhookDeliveryIdle } = await webhooks();
    const customer = workingCustomer();
    await (
      await db()
    ).tenant.create({ data: { id: customer.tenantId, consentState: "GRANTED", customerReference: "SUB-1042" } });
    const before = receiver.received.length;
    const first = await runHarnessCheck(harness, customer.tenantId, customer.environmentName("prod"));
    expect(first.outcome).toBe("PASSED");
    await webhookDeliveryIdle();
    expect(receiver.received).toHaveLength(before + 1);
    const event = receiver.received[before];
    expect(event!.signatureValid).toBe(true);
    expect(event!.headers["portal-event-type"]).toBe("connection.ready");
    expect(event!.json).toEqual({
      id: event!.headers["portal-event-id"],
      type: "connection.ready",
      occurredAt: expect.any(String),
      tenantId: customer.tenantId,
      customerReference: "SUB-1042",
      environment: { id: expect.any(String), url: customer.environmentUrl("prod") },
      data: {},
    });
    // A second passing check is no news.
    await runHarnessCheck(harness, customer.tenantId, customer.environmentName("prod"));
    await webhookDeliveryIdle();
    expect(receiver.received).toHaveLength(before + 1);
    const delivery = await (
      await db()
    ).webhookDelivery.findUniqueOrThrow({
      where: { id: event!.headers["portal-event-id"] },
      include: { attempts: true },
    });
    expect(delivery).toMatchObject({ status: "DELIVERED", attemptCount: 1, nextAttemptAt: null });
    expect(delivery.attempts).toMatchObject([{ attempt: 1, statusCode: 204, error: null, nextAttemptAt: null }]);
  });

  it("is not sent for a failing check", async () => {
    const { webhookDeliveryIdle } = await webhooks();
    // The application user has no security role: the classic missing-privilege 403.
    const customer = stageCustomer(harness.emulator, {
      name: "Webhooks Failing",
      environments: [{ name: "prod", appUser: "no-role" }],
    });
    const before = receiver.received.length;
    const failing = await runHarnessCheck(harness, customer.tenantId, customer.environmentName("prod"));
    expect(failing.outcome).toBe("FAILED");
    await webhookDeliveryIdle();
    expect(receiver.received).toHaveLength(before);
  });
});

describe("connection.broken and connection.recovered", () => {
  it("are sent once each when a connection that worked breaks and comes back, with the cause and the customer reference", async () => {
    const { webhookDeliveryIdle } = await webhooks();
    const customer = workingCustomer();
    const prod = customer.environmentName("prod");
    await (
      await db()
    ).tenant.create({ data: { id: customer.tenantId, consentState: "GRANTED", customerReference: "SUB-1042" } });
    // The connection works (connection.ready), then its application user is disabled in the admin center: the next check breaks.
    expect((await runHarnessCheck(harness, customer.tenantId, prod)).outcome).toBe("PASSED");
    await webhookDeliveryIdle();
    const before = receiver.received.length;
    harness.emulator.admin.setApplicationUserDisabled(prod, true);
    expect((await runHarnessCheck(harness, customer.tenantId, prod)).outcome).toBe("FAILED");
    expect((await runHarnessCheck(harness, customer.tenantId, prod)).outcome).toBe("FAILED"); // still broken: no news
    harness.emulator.admin.setApplicationUserDisabled(prod, false);
    expect((await runHarnessCheck(harness, customer.tenantId, prod)).outcome).toBe("PASSED");
    await webhookDeliveryIdle();
    const events = receiver.received.slice(before);
    expect(events.map((e) => [e.json.type, e.json.customerReference, e.signatureValid])).toEqual([
      ["connection.broken", "SUB-1042", true],
      ["connection.recovered", "SUB-1042", true],
    ]);
    expect(events[0]!.json.environment).toEqual({ id: expect.any(String), url: customer.environmentUrl("prod") });
    expect(events[0]!.json.data).toMatchObject({
      from: "HEALTHY",
      to: "BROKEN",
      causeId: "application-user-disabled",
      brokenSince: expect.any(String),
    });
    expect(String((events[0]!.json.data as { cause?: unknown }).cause)).toContain("disabled");
    expect(events[1]!.json.data).toMatchObject({ from: "BROKEN", to: "RECOVERED", cause: null });
  });
});

describe("consent.removed and tenant.disconnected", () => {
  it("are sent when consent is marked revoked and when the tenant disconnects (with the reference it had)", async () => {
    const { webhookDeliveryIdle } = await webhooks();
    const { markConsentRevoked, disconnectTenant } = await import("@/lib/onboarding/tenant-life");
    // A tenant that consented and was given its customer reference (the data layer alone: no check needed).
    const tenantId = randomUUID();
    await (
      await db()
    ).tenant.create({ data: { id: tenantId, consentState: "GRANTED", customerReference: "SUB-1042" } });
    const before = receiver.received.length;
    const scope = await testCustomerScope(tenantId);
    await markConsentRevoked(scope, "re-verification: 700016");
    await markConsentRevoked(scope, "again"); // already revoked: nothing new
    await disconnectTenant(scope);
    await webhookDeliveryIdle();
    const events = receiver.received.slice(before);
    expect(events.map((e) => [e.json.type, e.json.customerReference, e.signatureValid])).toEqual([
      ["consent.removed", "SUB-1042", true],
      ["tenant.disconnected", "SUB-1042", true],
    ]);
    expect(events[0]!.json.data).toEqual({ because: "re-verification: 700016" });
    expect(events[1]!.json.environment).toBeNull();
  });
});

describe("delivery", () => {
  it("retries a failed attempt with exponential backoff driven from the database, logging each attempt", async () => {
    const { publishLifecycleEvent, webhookDeliveryIdle, deliverDueWebhooks, retryDelayMs } = await webhooks();
    receiver.failNext(500, 503);
    const before = receiver.received.length;
    await publishLifecycleEvent({
      type: "connection.broken",
      tenantId: randomUUID(),
      customerReference: "C-9",
      data: { failingStep: "token" },
    });
    await webhookDeliveryIdle();
    const id = receiver.received[before]!.headers["portal-event-id"]!;
    const read = async () =>
      (await db()).webhookDelivery.findUniqueOrThrow({
        where: { id },
        include: { attempts: { orderBy: { attempt: "asc" } } },
      });
    let delivery = await read();
    expect(delivery).toMatchObject({ status: "PENDING", attemptCount: 1 });
    expect(delivery.attempts[0]).toMatchObject({ attempt: 1, statusCode: 500, error: "HTTP 500" });
    const firstDelay = delivery.nextAttemptAt!.getTime() - delivery.attempts[0]!.at.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(retryDelayMs(1));
    expect(firstDelay).toBeLessThan(retryDelayMs(1) + 5_000);
    // Not due yet: nothing is sent.
    expect(await deliverDueWebhooks()).toEqual({ attempted: 0, delivered: 0 });
    expect(await deliverDueWebhooks({ now: new Date(Date.now() + retryDelayMs(1) + 1000) })).toEqual({
      attempted: 1,
      delivered: 0,
    });
    delivery = await read();
    expect(delivery.attempts[1]).toMatchObject({ attempt: 2, statusCode: 503 });
    expect(delivery.nextAttemptAt!.getTime() - delivery.attempts[1]!.at.getTime()).toBeGreaterThanOrEqual(
      retryDelayMs(2),
    );
    expect(await deliverDueWebhooks({ now: new Date(Date.now() + retryDelayMs(2) + 1000) })).toEqual({
      attempted: 1,
      delivered: 1,
    });
    delivery = await read();
    expect(delivery).toMatchObject({ status: "DELIVERED", attemptCount: 3, nextAttemptAt: null });
    const sent = receiver.received.slice(before);
    expect(sent.map((r) => r.headers["portal-event-id"])).toEqual([id, id, id]);
    expect(new Set(sent.map((r) => r.body)).size).toBe(1);
    expect(sent.every((r) => r.signatureValid)).toBe(true);
  });

  it("gives up after the last attempt: the delivery is FAILED and never sent again", async () => {
    const { publishLifecycleEvent, webhookDeliveryIdle, deliverDueWebhooks, MAX_ATTEMPTS } = await webhooks();
    receiver.failNext(...Array.from({ length: MAX_ATTEMPTS }, () => 500));
    const tenantId = randomUUID();
    await publishLifecycleEvent({ type: "connection.recovered", tenantId });
    await webhookDeliveryIdle();
    const latest = async () =>
      (await db()).webhookDelivery.findFirstOrThrow({
        where: { eventType: "connection.recovered", tenantId },
        orderBy: { createdAt: "desc" },
      });
    for (let i = 1; i < MAX_ATTEMPTS; i++) await deliverDueWebhooks({ now: new Date(Date.now() + 24 * 3600_000) });
    expect(await latest()).toMatchObject({ status: "FAILED", attemptCount: MAX_ATTEMPTS, nextAttemptAt: null });
    expect(await deliverDueWebhooks({ now: new Date(Date.now() + 48 * 3600_000) })).toEqual({
      attempted: 0,
      delivered: 0,
    });
  });

  it("signatures: a changed body or an old timestamp does not verify", async () => {
    const { signWebhook, verifyWebhookSignature } = await webhooks();
    const now = Date.now();
    const t = Math.floor(now / 1000);
    const header = signWebhook(SECRET, t, '{"a":1}');
    expect(verifyWebhookSignature(SECRET, header, '{"a":1}', { now })).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, '{"a":2}', { now })).toBe(false);
    expect(verifyWebhookSignature("another-secret-0123456789abc", header, '{"a":1}', { now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, signWebhook(SECRET, t - 600, '{"a":1}'), '{"a":1}', { now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, "t=abc,v1=zz", '{"a":1}', { now })).toBe(false);
  });
});
