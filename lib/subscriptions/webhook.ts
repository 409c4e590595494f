import "server-only";

// Microsoft's connection webhook (docs/protocol/marketplace.md M-49..M-60): the bearer token is checked first; the
// body is only a hint, read leniently (Microsoft extends it: M-54); every notification is confirmed with Get
// Operation before anything is done (M-55); ChangePlan / ChangeQuantity / Reinstate are answered with PATCH
// operation within Microsoft's 10 seconds (M-46), a change by the ISV's rule (MARKETPLACE_ACCEPTED_PLANS /
// _MAX_QUANTITY); each operation id is handled once and an older operation never undoes a newer one (M-56).
// Answers: 200 once handled (or known already), 401 for a token that is not Microsoft's, 400 for a body that
// names no operation or one Get Operation does not confirm, 503 when Microsoft could not be asked (it retries).
import { config } from "@/lib/config";
import {
  changeSubscription,
  operationSeen,
  recordOperation,
  recordSubscription,
  subscriptionById,
  type OperationRecord,
  type SubscriptionRow,
} from "@/lib/data/subscriptions";
import {
  answerOperation,
  FulfillmentError,
  getOperation,
  getSubscription,
  MARKETPLACE_ID,
  type OperationFacts,
} from "@/lib/marketplace/fulfillment";
import { verifyMarketplaceWebhookToken } from "@/lib/marketplace/webhook-token";
import { logger } from "@/lib/log";
import { publishSubscriptionEvent } from "@/lib/events";
import { decideOperation, isKnownAction, type Decision } from "@/lib/subscriptions/life";
import { MARKETPLACE_ACTOR } from "@/lib/subscriptions/purchase";
import { fromMicrosoftStatus } from "@/lib/subscriptions/vocabulary";
import { z } from "zod";

/** Far more than any notification Microsoft documents (M-50). */
const MAX_BODY_BYTES = 256 * 1024;

/** The few fields the portal needs to find the operation; everything else may change and is ignored (M-54). */
const notificationSchema = z.looseObject({
  id: z.string().regex(MARKETPLACE_ID, "must be the operation id"),
  subscriptionId: z.string().regex(MARKETPLACE_ID, "must be the subscription id"),
  action: z.string().min(1).max(100),
});

export type WebhookAnswer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

function problem(status: number, kind: string, detail: string, headers: Record<string, string> = {}): WebhookAnswer {
  return {
    status,
    body: { type: `urn:tenant-onboarding-portal:marketplace:${kind}`, status, detail },
    headers: { "Content-Type": "application/problem+json", ...headers },
  };
}

function handled(outcome: string, detail?: string): WebhookAnswer {
  return { status: 200, body: { outcome, ...(detail ? { detail } : {}) } };
}

async function readBody(request: Request): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return null;
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

export async function receiveMarketplaceNotification(request: Request): Promise<WebhookAnswer> {
  const auth = await verifyMarketplaceWebhookToken(request.headers.get("authorization"));
  if (!auth.ok) {
    logger().warn({ detail: auth.failure.detail }, "marketplace webhook: refused a call without Microsoft's token");
    return auth.failure.status === 503
      ? problem(503, "unavailable", auth.failure.detail, { "Retry-After": "30" })
      : problem(401, "invalid-token", auth.failure.detail, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  }
  const text = await readBody(request);
  if (text === null) return problem(413, "too-large", `The notification is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return problem(400, "invalid-body", "The body is not JSON.");
  }
  const parsed = notificationSchema.safeParse(json);
  if (!parsed.success)
    return problem(
      400,
      "invalid-body",
      `The body names no operation: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; ")}.`,
    );
  const notification = parsed.data;
  const extra = Object.keys(notification).filter(
    (k) =>
      ![
        "id",
        "activityId",
        "publisherId",
        "offerId",
        "planId",
        "quantity",
        "subscriptionId",
        "timeStamp",
        "action",
        "status",
        "operationRequestSource",
        "subscription",
        "purchaseToken",
      ].includes(k),
  );
  if (extra.length > 0)
    logger().info({ fields: extra }, "marketplace webhook: fields the portal does not know (accepted)");

  if (await operationSeen(notification.id))
    return handled("duplicate", "This operation was handled already; nothing changed.");

  // Get Operation, before acting (M-55): the notification's own fields are not trusted.
  let op: OperationFacts;
  try {
    op = await getOperation(notification.subscriptionId, notification.id);
  } catch (error) {
    if (!(error instanceof FulfillmentError)) throw error;
    if (error.kind === "not-found" || error.kind === "bad-request") {
      logger().warn(
        { operationId: notification.id, subscriptionId: notification.subscriptionId, status: error.status },
        "marketplace webhook: Get Operation does not confirm the notification",
      );
      return problem(400, "not-confirmed", "Get Operation does not confirm this operation; nothing was done.");
    }
    logger().error(
      { operationId: notification.id, kind: error.kind, status: error.status, err: error.message },
      "marketplace webhook: could not confirm the operation",
    );
    return problem(503, "unavailable", "The marketplace API could not be asked to confirm the operation; try again.", {
      "Retry-After": "30",
    });
  }
  if (
    op.id !== notification.id.toLowerCase() ||
    op.subscriptionId !== notification.subscriptionId.toLowerCase() ||
    op.action !== notification.action
  ) {
    logger().warn(
      { operationId: notification.id, notified: notification.action, confirmed: op.action },
      "marketplace webhook: Get Operation contradicts the notification",
    );
    return problem(
      400,
      "not-confirmed",
      "Get Operation describes another operation than the notification; nothing was done.",
    );
  }

  let subscription: SubscriptionRow | null;
  try {
    subscription = await heldSubscription(op.subscriptionId, isKnownAction(op.action));
  } catch (error) {
    if (!(error instanceof FulfillmentError)) throw error;
    return problem(503, "unavailable", "The marketplace API could not be asked for the subscription; try again.", {
      "Retry-After": "30",
    });
  }
  if (!subscription) {
    logger().info(
      { operationId: op.id, action: op.action },
      "marketplace webhook: an operation of a subscription the portal does not hold (accepted)",
    );
    return handled("unknown-subscription");
  }
  return act(subscription, op);
}

/** The subscription the portal holds, read from Microsoft when it never saw it (a purchase never landed). */
async function heldSubscription(subscriptionId: string, known: boolean): Promise<SubscriptionRow | null> {
  const held = await subscriptionById(subscriptionId);
  if (held || !known) return held;
  try {
    const facts = await getSubscription(subscriptionId);
    const { row } = await recordSubscription(
      {
        id: facts.id,
        name: facts.name.slice(0, 200),
        publisherId: facts.publisherId,
        offerId: facts.offerId,
        planId: facts.planId,
        quantity: facts.quantity,
        status: fromMicrosoftStatus(facts.status),
        beneficiaryTenantId: facts.beneficiary.tenantId,
        beneficiaryEmail: facts.beneficiary.emailId,
        beneficiaryObjectId: facts.beneficiary.objectId,
        purchaserTenantId: facts.purchaser.tenantId,
        purchaserEmail: facts.purchaser.emailId,
        purchaserObjectId: facts.purchaser.objectId,
        isTest: facts.isTest,
        isFreeTrial: facts.isFreeTrial,
        termUnit: facts.term.unit,
        termStartDate: facts.term.startDate,
        termEndDate: facts.term.endDate,
      },
      MARKETPLACE_ACTOR,
    );
    return row;
  } catch (error) {
    if (error instanceof FulfillmentError && error.kind === "not-found") return null;
    throw error;
  }
}

function operationRecord(op: OperationFacts, held: SubscriptionRow, decision: Decision): OperationRecord {
  return {
    id: op.id,
    action: op.action.slice(0, 100),
    outcome: decision.outcome,
    planId: op.planId,
    quantity: op.quantity,
    previousPlanId: held.planId,
    previousQuantity: held.quantity,
    occurredAt: op.timeStamp,
    source: op.source?.slice(0, 40) ?? null,
    detail: decision.reason.slice(0, 500),
  };
}

async function act(held: SubscriptionRow, op: OperationFacts): Promise<WebhookAnswer> {
  const { acceptedPlans, maxQuantity } = config().marketplace;
  let decision = decideOperation(held, op, { acceptedPlans, maxQuantity });

  if (decision.answer) {
    try {
      await answerOperation(held.id, op.id, decision.answer);
    } catch (error) {
      if (!(error instanceof FulfillmentError)) throw error;
      if (error.kind !== "conflict") {
        logger().error(
          { operationId: op.id, kind: error.kind, status: error.status, err: error.message },
          "marketplace webhook: could not answer the operation",
        );
        return problem(503, "unavailable", "The marketplace API did not take the answer; try again.", {
          "Retry-After": "10",
        });
      }
      // Answered already (another delivery, or Microsoft's window closed): what it became decides.
      const now = await getOperation(held.id, op.id).catch(() => null);
      if (!now || now.status !== "Succeeded")
        decision = {
          ...decision,
          outcome: "ignored-failed",
          change: {},
          event: null,
          audit: "subscription.operation_ignored",
          reason: `Microsoft had settled the operation already (${now?.status ?? "unknown"})`,
        };
    }
  }

  const record = operationRecord(op, held, decision);
  const tenantId = held.beneficiaryTenantId;
  const details = {
    operationId: op.id,
    action: op.action,
    outcome: decision.outcome,
    reason: decision.reason,
    planId: op.planId,
    quantity: op.quantity,
  };
  const change = decision.change;
  const changes = Object.keys(change).length > 0;
  if (!changes) {
    // Applied without changing anything (renewed, already so) or not acted on: the operation is recorded either way.
    const ignored = decision.outcome !== "applied" && decision.outcome !== "accepted";
    const recorded = await recordOperation(held.id, record, {
      actor: MARKETPLACE_ACTOR,
      tenantId,
      action: decision.audit,
      details,
    });
    if (recorded === "duplicate") return handled("duplicate", "This operation was handled already; nothing changed.");
    if (!ignored && op.timeStamp)
      await changeSubscription({
        subscriptionId: held.id,
        whenStatus: [held.status],
        set: { lastOperationAt: op.timeStamp },
        audit: { actor: MARKETPLACE_ACTOR, tenantId, action: "subscription.operation_noted", details },
      });
    return handled(decision.outcome, decision.reason);
  }

  const now = new Date();
  const result = await changeSubscription({
    subscriptionId: held.id,
    whenStatus: [held.status],
    set: {
      ...(change.status ? { status: change.status } : {}),
      ...(change.planId !== undefined ? { planId: change.planId } : {}),
      ...(change.quantity !== undefined ? { quantity: change.quantity } : {}),
      ...(change.suspended === true ? { suspendedAt: now } : change.suspended === false ? { suspendedAt: null } : {}),
      ...(change.unsubscribed ? { unsubscribedAt: now } : {}),
      ...(op.timeStamp ? { lastOperationAt: op.timeStamp } : {}),
    },
    operation: record,
    audit: { actor: MARKETPLACE_ACTOR, tenantId, action: decision.audit, details },
  });
  if (result === "duplicate") return handled("duplicate", "This operation was handled already; nothing changed.");
  if (result === "moved") {
    // Another operation changed the subscription meanwhile, or a newer one was applied first: record, change nothing.
    await recordOperation(
      held.id,
      {
        ...record,
        outcome: "ignored-stale",
        detail: "the subscription changed meanwhile; this older operation was not applied",
      },
      {
        actor: MARKETPLACE_ACTOR,
        tenantId,
        action: "subscription.operation_ignored",
        details: { ...details, outcome: "ignored-stale" },
      },
    );
    return handled("ignored-stale");
  }
  if (decision.event) {
    const current = (await subscriptionById(held.id)) ?? held;
    await publishSubscriptionEvent(decision.event, {
      subscription: { ...current, tenantId: current.beneficiaryTenantId },
      ...(decision.event === "subscription.plan_changed"
        ? { previous: { planId: held.planId, quantity: held.quantity } }
        : {}),
      ...(op.timeStamp ? { occurredAt: op.timeStamp } : {}),
    });
  }
  return handled(decision.outcome, decision.reason);
}
