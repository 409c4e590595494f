/**
 * The commercial marketplace's behaviour (docs/protocol/marketplace.md): purchases and their landing tokens, the
 * subscription life cycle (M-62), operations and the webhook notifications that tell the publisher about them —
 * with an Entra-issued bearer token (M-57..M-60), retried while the publisher does not answer 200 (M-56), and the
 * publisher's 10-second window to accept or reject a change (M-46). Used by the Fulfillment API (api.ts), the
 * purchase and admin page (pages.ts) and the admin actions (admin.ts).
 */
import { randomBytes } from "node:crypto";
import type { EmulatorContext } from "../context";
import { mintApiAccessToken } from "../entra/claims";
import { randomGuid, sameGuid, stableGuid } from "../guid";
import type { Tenant, TenantUser } from "../scenario";
import type { NotificationDelivery } from "./runtime";
import { ACK_ACTIONS, MARKETPLACE_APP_ID } from "./schema";
import type {
  MarketplaceOffer,
  MarketplaceOperation,
  MarketplaceParty,
  MarketplacePlan,
  MarketplaceSubscription,
  OperationAction,
} from "./schema";

export class MarketplaceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "MarketplaceError";
  }
}

/** `2023-02-10T18:48:58.4449937Z`: seven fraction digits and Z, as Microsoft writes `timeStamp` and `created` (M-78). */
export function marketplaceTime(date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}Z`;
}

/** The publisher's technical configuration: the tenant and app whose tokens the APIs accept (M-6, M-74). */
export function publisherOf(ctx: EmulatorContext): { tenantId: string; appId: string } {
  const m = ctx.state.scenario.marketplace;
  return {
    tenantId: (m.tenantId ?? ctx.state.scenario.app.homeTenantId).toLowerCase(),
    appId: (m.appId ?? ctx.state.scenario.app.clientId).toLowerCase(),
  };
}

export function findSubscription(ctx: EmulatorContext, id: string): MarketplaceSubscription | undefined {
  return ctx.state.scenario.marketplace.subscriptions.find((s) => sameGuid(s.id, id));
}

export function requireSubscription(ctx: EmulatorContext, id: string): MarketplaceSubscription {
  const subscription = findSubscription(ctx, id);
  if (!subscription)
    throw new MarketplaceError(
      404,
      "EntityNotFound",
      "SaaS subscription with the specified subscriptionId cannot be found.",
    );
  return subscription;
}

export function offerOf(ctx: EmulatorContext, offerId: string): MarketplaceOffer | undefined {
  return ctx.state.scenario.marketplace.offers.find((o) => o.offerId === offerId);
}

export function planOf(ctx: EmulatorContext, offerId: string, planId: string): MarketplacePlan | undefined {
  // Plan ids compare exactly: they are lowercase by construction and never re-cased (M-83).
  return offerOf(ctx, offerId)?.plans.find((p) => p.planId === planId);
}

const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P2Y: 24, P3Y: 36 };

/** A term starting today (midnight UTC) and ending the day before the same date one term later (M-78's format). */
function termFrom(termUnit: string, start: Date): { termUnit: string; startDate: string; endDate: string } {
  const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  const to = new Date(from);
  to.setUTCMonth(to.getUTCMonth() + (TERM_MONTHS[termUnit] ?? 1));
  to.setUTCDate(to.getUTCDate() - 1);
  const day = (d: Date) => `${d.toISOString().slice(0, 10)}T00:00:00Z`;
  return { termUnit, startDate: day(from), endDate: day(to) };
}

function partyOf(ctx: EmulatorContext, tenant: Tenant, user: TenantUser): MarketplaceParty {
  return { emailId: user.email ?? user.upn, objectId: user.oid, tenantId: tenant.id, puid: null };
}

function findTenantAndUser(
  ctx: EmulatorContext,
  tenantQuery: string,
  userQuery: string | undefined,
): { tenant: Tenant; user: TenantUser } {
  const tenant =
    ctx.state.tenantBySegment(tenantQuery) ??
    ctx.state.scenario.tenants.find(
      (t) => t.displayName.toLowerCase() === tenantQuery.toLowerCase() || sameGuid(t.id, tenantQuery),
    );
  if (!tenant) throw new MarketplaceError(400, "BadRequest", `Unknown tenant '${tenantQuery}'.`);
  if (tenant.kind === "consumers")
    throw new MarketplaceError(400, "BadRequest", "The emulated purchase needs an organisation's tenant.");
  const user = userQuery
    ? tenant.users.find(
        (u) =>
          u.upn.toLowerCase() === userQuery.toLowerCase() ||
          u.upn.toLowerCase().split("@")[0] === userQuery.toLowerCase() ||
          sameGuid(u.oid, userQuery),
      )
    : tenant.users[0];
  if (!user)
    throw new MarketplaceError(400, "BadRequest", `Unknown user '${userQuery ?? ""}' in ${tenant.displayName}.`);
  return { tenant, user };
}

export interface PurchaseInput {
  offerId?: string;
  planId: string;
  quantity?: number;
  /** The beneficiary: a tenant (id, domain or name) and one of its users (UPN, its local part or object id). */
  tenant: string;
  user?: string;
  /** The purchaser when another (a CSP buying for a customer); default the beneficiary. */
  purchaserTenant?: string;
  purchaserUser?: string;
  name?: string;
  isTest?: boolean;
  isFreeTrial?: boolean;
}

/**
 * A customer buys a plan: the subscription is PendingFulfillmentStart (M-62) and a landing token is issued; the
 * publisher learns of it only when the landing page resolves that token (M-63).
 */
export function purchase(
  ctx: EmulatorContext,
  input: PurchaseInput,
): { subscription: MarketplaceSubscription; token: string; landingUrl: string | null } {
  const m = ctx.state.scenario.marketplace;
  const offer = input.offerId ? offerOf(ctx, input.offerId) : m.offers[0];
  if (!offer)
    throw new MarketplaceError(
      400,
      "BadRequest",
      input.offerId ? `Unknown offer '${input.offerId}'.` : "The scenario has no SaaS offer.",
    );
  const plan = offer.plans.find((p) => p.planId === input.planId);
  if (!plan) throw new MarketplaceError(400, "BadRequest", `Offer '${offer.offerId}' has no plan '${input.planId}'.`);
  const quantity = plan.isPricePerSeat ? (input.quantity ?? plan.minQuantity) : undefined;
  if (quantity !== undefined && (quantity < plan.minQuantity || quantity > plan.maxQuantity)) {
    throw new MarketplaceError(
      400,
      "BadRequest",
      `Plan '${plan.planId}' sells ${plan.minQuantity} to ${plan.maxQuantity} seats.`,
    );
  }
  const beneficiary = findTenantAndUser(ctx, input.tenant, input.user);
  const purchaser = input.purchaserTenant
    ? findTenantAndUser(ctx, input.purchaserTenant, input.purchaserUser)
    : beneficiary;
  const csp = !sameGuid(purchaser.tenant.id, beneficiary.tenant.id);
  const subscription: MarketplaceSubscription = {
    id: randomGuid(),
    name:
      input.name ?? `${offer.displayName} for ${beneficiary.tenant.organizationName ?? beneficiary.tenant.displayName}`,
    offerId: offer.offerId,
    planId: plan.planId,
    ...(quantity !== undefined ? { quantity } : {}),
    saasSubscriptionStatus: "PendingFulfillmentStart",
    beneficiary: partyOf(ctx, beneficiary.tenant, beneficiary.user),
    purchaser: partyOf(ctx, purchaser.tenant, purchaser.user),
    term: { termUnit: plan.termUnit },
    autoRenew: true,
    isTest: input.isTest ?? false,
    isFreeTrial: input.isFreeTrial ?? false,
    // A CSP purchase only reads (M-16).
    allowedCustomerOperations: csp ? ["Read"] : ["Delete", "Update", "Read"],
    sandboxType: csp ? "Csp" : "None",
    sessionMode: "None",
    created: marketplaceTime(),
    lastModified: "0001-01-01T00:00:00",
  };
  m.subscriptions.push(subscription);
  const token = issueLandingToken(ctx, subscription.id);
  return { subscription, token, landingUrl: landingUrl(ctx, token) };
}

/**
 * A purchase identification token: opaque, base64 with `+`, `/` and `=` as real ones (M-13), valid 24 hours (M-20).
 * "Configure account" and "Manage account" each give a new one (M-23).
 */
export function issueLandingToken(ctx: EmulatorContext, subscriptionId: string): string {
  requireSubscription(ctx, subscriptionId);
  let token = randomBytes(148).toString("base64");
  // Real tokens carry both; make sure every emulated one does, so a landing page that loses them is caught.
  if (!token.includes("+")) token = `+${token.slice(1)}`;
  if (!token.includes("/")) token = `${token.slice(0, 1)}/${token.slice(2)}`;
  const lifetimeMs = ctx.state.scenario.marketplace.settings.landingTokenLifetimeHours * 3_600_000;
  ctx.state.marketplace.tokens.set(token, {
    token,
    subscriptionId: subscriptionId.toLowerCase(),
    expiresAt: Date.now() + lifetimeMs,
  });
  return token;
}

/** `{landing page URL}?token=<url-encoded token>` (M-69); `&token=` when the URL already has a query ([U]). */
export function landingUrl(ctx: EmulatorContext, token: string): string | null {
  const base = ctx.state.scenario.marketplace.landingPageUrl;
  if (!base) return null;
  return `${base}${base.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

/** The landing token's subscription, or why not (400 for missing, malformed, invalid or expired: M-21). */
export function resolveLandingToken(ctx: EmulatorContext, token: string | undefined): MarketplaceSubscription {
  if (!token) throw new MarketplaceError(400, "BadRequest", "The x-ms-marketplace-token header is missing.");
  const entry = ctx.state.marketplace.tokens.get(token);
  // The one real 400 body on record (M-10).
  if (!entry)
    throw new MarketplaceError(400, "InvalidValue", "Failed to decrypt token with either primary or secondary secret.");
  if (Date.now() >= entry.expiresAt)
    throw new MarketplaceError(400, "InvalidValue", "The marketplace token has expired.");
  return requireSubscription(ctx, entry.subscriptionId);
}

/** Activate (M-24..M-28): PendingFulfillmentStart → Subscribed; the plan and quantity, when given, must match. */
export function activate(
  ctx: EmulatorContext,
  subscription: MarketplaceSubscription,
  body: { planId?: unknown; quantity?: unknown },
): void {
  if (subscription.saasSubscriptionStatus === "Unsubscribed")
    throw new MarketplaceError(
      404,
      "EntityNotFound",
      "SaaS subscription with the specified subscriptionId cannot be found.",
    );
  if (subscription.saasSubscriptionStatus === "Subscribed" || subscription.saasSubscriptionStatus === "Suspended") {
    throw new MarketplaceError(
      400,
      "BadRequest",
      `The subscription is already ${subscription.saasSubscriptionStatus}; it cannot be activated again.`,
    );
  }
  if (body.planId !== undefined && body.planId !== subscription.planId) {
    throw new MarketplaceError(400, "BadRequest", "planId does not match the purchased plan.");
  }
  if (
    body.quantity !== undefined &&
    body.quantity !== null &&
    body.quantity !== "" &&
    Number(body.quantity) !== subscription.quantity
  ) {
    throw new MarketplaceError(400, "BadRequest", "quantity does not match the purchased quantity.");
  }
  subscription.saasSubscriptionStatus = "Subscribed";
  subscription.term = termFrom(subscription.term.termUnit, new Date());
  subscription.lastModified = marketplaceTime();
}

export function subscriptionBody(ctx: EmulatorContext, subscription: MarketplaceSubscription): Record<string, unknown> {
  const s = structuredClone(subscription);
  return {
    id: s.id,
    publisherId: ctx.state.scenario.marketplace.publisherId,
    offerId: s.offerId,
    name: s.name,
    saasSubscriptionStatus: s.saasSubscriptionStatus,
    beneficiary: s.beneficiary,
    purchaser: s.purchaser,
    planId: s.planId,
    ...(s.quantity !== undefined ? { quantity: s.quantity } : {}),
    term: s.term,
    autoRenew: s.autoRenew,
    isTest: s.isTest,
    isFreeTrial: s.isFreeTrial,
    allowedCustomerOperations: s.allowedCustomerOperations,
    sandboxType: s.sandboxType,
    created: s.created,
    lastModified: s.lastModified,
    sessionMode: s.sessionMode,
  };
}

export function operationBody(ctx: EmulatorContext, op: MarketplaceOperation): Record<string, unknown> {
  const subscription = findSubscription(ctx, op.subscriptionId);
  return {
    id: op.id,
    activityId: op.id,
    publisherId: ctx.state.scenario.marketplace.publisherId,
    offerId: subscription?.offerId ?? "",
    planId: op.planId ?? subscription?.planId ?? "",
    ...(op.quantity !== undefined ? { quantity: op.quantity } : {}),
    operationRequestSource: op.operationRequestSource,
    subscriptionId: op.subscriptionId,
    timeStamp: op.timeStamp,
    action: op.action,
    status: op.status,
    ...(op.errorStatusCode !== undefined
      ? { errorStatusCode: op.errorStatusCode, errorMessage: op.errorMessage ?? "" }
      : {}),
  };
}

export function findOperation(
  ctx: EmulatorContext,
  subscriptionId: string,
  operationId: string,
): MarketplaceOperation | undefined {
  return ctx.state.scenario.marketplace.operations.find(
    (o) => sameGuid(o.id, operationId) && sameGuid(o.subscriptionId, subscriptionId),
  );
}

// ------------------------------------------------------------------ operations and notifications

export interface ChangeInput {
  planId?: string;
  quantity?: number;
}

/**
 * Something happens on Microsoft's side (the customer changes the plan in the Azure portal, a payment fails, …):
 * an operation is recorded and the publisher's webhook is called (M-49). The events each state allows are M-49's;
 * notify-only ones (Suspend, Renew, Unsubscribe) have already happened when the webhook is called (M-51, M-64).
 */
export function startOperation(
  ctx: EmulatorContext,
  subscriptionId: string,
  action: OperationAction,
  change: ChangeInput = {},
  source: "Azure" | "Partner" = "Azure",
): MarketplaceOperation {
  const subscription = requireSubscription(ctx, subscriptionId);
  const status = subscription.saasSubscriptionStatus;
  const allowed: Record<OperationAction, string[]> = {
    ChangePlan: ["Subscribed"],
    ChangeQuantity: ["Subscribed"],
    Renew: ["Subscribed"],
    Suspend: ["Subscribed"],
    Reinstate: ["Suspended"],
    // Cancelling works in any state but the last (M-62); a purchase never activated is cancelled too (M-25).
    Unsubscribe: ["PendingFulfillmentStart", "Subscribed", "Suspended"],
  };
  if (!allowed[action].includes(status))
    throw new MarketplaceError(400, "BadRequest", `${action} is not possible while the subscription is ${status}.`);
  const op: MarketplaceOperation = {
    id: randomGuid(),
    subscriptionId: subscription.id,
    action,
    status: ACK_ACTIONS.has(action) ? "InProgress" : "Succeeded",
    timeStamp: marketplaceTime(),
    operationRequestSource: source,
  };
  if (action === "ChangePlan") {
    const planId = change.planId ?? "";
    if (!planOf(ctx, subscription.offerId, planId))
      throw new MarketplaceError(400, "BadRequest", `Offer '${subscription.offerId}' has no plan '${planId}'.`);
    if (planId === subscription.planId)
      throw new MarketplaceError(400, "BadRequest", "The new plan is the current plan.");
    op.planId = planId;
    if (subscription.quantity !== undefined) op.quantity = subscription.quantity;
  } else if (action === "ChangeQuantity") {
    const plan = planOf(ctx, subscription.offerId, subscription.planId);
    if (!plan?.isPricePerSeat)
      throw new MarketplaceError(400, "BadRequest", `Plan '${subscription.planId}' is not sold per seat.`);
    const quantity = change.quantity;
    if (quantity === undefined || !Number.isInteger(quantity))
      throw new MarketplaceError(400, "BadRequest", "The quantity is missing.");
    if (quantity < plan.minQuantity || quantity > plan.maxQuantity)
      throw new MarketplaceError(
        400,
        "BadRequest",
        `The quantity must be between ${plan.minQuantity} and ${plan.maxQuantity}.`,
      );
    if (quantity === subscription.quantity)
      throw new MarketplaceError(400, "BadRequest", "The quantity equals the current one.");
    op.planId = subscription.planId;
    op.quantity = quantity;
  } else {
    op.planId = subscription.planId;
    if (subscription.quantity !== undefined) op.quantity = subscription.quantity;
  }
  // The webhook's `subscription` is the object before the change (M-51); notify-only events have happened already.
  const before = subscriptionBody(ctx, subscription);
  ctx.state.scenario.marketplace.operations.push(op);
  if (op.status === "Succeeded") applyOperation(ctx, op);
  const after = subscriptionBody(ctx, subscription);
  notify(ctx, op, ACK_ACTIONS.has(action) ? before : after);
  // No webhook to answer: the change is accepted after the window as if the publisher never patched it.
  if (ACK_ACTIONS.has(action) && !ctx.state.scenario.marketplace.webhookUrl) scheduleAckTimeout(ctx, op);
  return op;
}

/** The operation's effect on the subscription (M-62). */
function applyOperation(ctx: EmulatorContext, op: MarketplaceOperation): void {
  const subscription = requireSubscription(ctx, op.subscriptionId);
  switch (op.action) {
    case "ChangePlan":
      if (op.planId) subscription.planId = op.planId;
      break;
    case "ChangeQuantity":
      if (op.quantity !== undefined) subscription.quantity = op.quantity;
      break;
    case "Suspend":
      subscription.saasSubscriptionStatus = "Suspended";
      break;
    case "Reinstate":
      subscription.saasSubscriptionStatus = "Subscribed";
      break;
    case "Renew": {
      // The term moves on to the next one (M-65).
      const next = subscription.term.endDate
        ? new Date(Date.parse(subscription.term.endDate) + 86_400_000)
        : new Date();
      subscription.term = termFrom(subscription.term.termUnit, next);
      break;
    }
    case "Unsubscribe":
      subscription.saasSubscriptionStatus = "Unsubscribed";
      break;
  }
  subscription.lastModified = marketplaceTime();
}

/**
 * The publisher's answer to an operation waiting for one (PATCH operation, a 4xx to the webhook, or the window
 * running out). Only an InProgress operation changes; anything later is a conflict (409, M-44).
 */
export function completeOperation(
  ctx: EmulatorContext,
  op: MarketplaceOperation,
  outcome: "Success" | "Failure",
  reason: string,
): void {
  if (op.status !== "InProgress") throw new MarketplaceError(409, "Conflict", `The operation is already ${op.status}.`);
  if (outcome === "Success") {
    op.status = "Succeeded";
    applyOperation(ctx, op);
  } else {
    op.status = "Failed";
    op.errorStatusCode = "400";
    op.errorMessage = reason;
  }
}

function scheduleAckTimeout(ctx: EmulatorContext, op: MarketplaceOperation): void {
  const settings = ctx.state.scenario.marketplace.settings;
  if (op.action === "Reinstate" && settings.reinstateWithoutAck === "stay-suspended") return;
  ctx.state.marketplace.schedule(() => {
    const current = ctx.state.scenario.marketplace.operations.find((o) => o.id === op.id);
    if (current?.status === "InProgress")
      completeOperation(ctx, current, "Success", "accepted: no answer within the publisher's window");
  }, settings.ackTimeoutSeconds * 1000);
}

/** The 2023 payload (M-50): the operation's fields, the subscription, and `purchaseToken: null`. */
function notificationBody(
  ctx: EmulatorContext,
  op: MarketplaceOperation,
  subscription: Record<string, unknown>,
): string {
  const base = operationBody(ctx, op);
  delete base.errorStatusCode;
  delete base.errorMessage;
  return JSON.stringify({ ...base, subscription, purchaseToken: null });
}

function notify(
  ctx: EmulatorContext,
  op: MarketplaceOperation,
  subscription: Record<string, unknown>,
): NotificationDelivery {
  const url = ctx.state.scenario.marketplace.webhookUrl;
  const delivery: NotificationDelivery = {
    id: randomGuid(),
    operationId: op.id,
    subscriptionId: op.subscriptionId,
    action: op.action,
    url,
    body: notificationBody(ctx, op, subscription),
    state: url ? "pending" : "no-webhook",
    attempts: [],
    nextAttemptAt: url ? Date.now() : null,
  };
  ctx.state.marketplace.deliveries.push(delivery);
  if (url) void attempt(ctx, delivery);
  return delivery;
}

/** Sends the same notification again (Microsoft retries and may repeat itself: M-56): a new delivery, same body. */
export function resendNotification(ctx: EmulatorContext, operationId: string): NotificationDelivery {
  const previous = [...ctx.state.marketplace.deliveries].reverse().find((d) => sameGuid(d.operationId, operationId));
  const op = ctx.state.scenario.marketplace.operations.find((o) => sameGuid(o.id, operationId));
  if (!op) throw new MarketplaceError(404, "EntityNotFound", `No operation ${operationId}.`);
  const url = ctx.state.scenario.marketplace.webhookUrl;
  const delivery: NotificationDelivery = {
    id: randomGuid(),
    operationId: op.id,
    subscriptionId: op.subscriptionId,
    action: op.action,
    url,
    body:
      previous?.body ?? notificationBody(ctx, op, subscriptionBody(ctx, requireSubscription(ctx, op.subscriptionId))),
    state: url ? "pending" : "no-webhook",
    attempts: [],
    nextAttemptAt: url ? Date.now() : null,
  };
  ctx.state.marketplace.deliveries.push(delivery);
  if (url) void attempt(ctx, delivery);
  return delivery;
}

/**
 * The bearer token Microsoft sends (M-57..M-60): issued by the publisher's tenant to the marketplace's app
 * (`appid`/`azp` = 20e940b3-…) for the publisher's app (`aud`), v1 or v2 as that app's manifest asks.
 */
export async function webhookToken(ctx: EmulatorContext): Promise<string> {
  const { tenantId, appId } = publisherOf(ctx);
  const tenant = ctx.state.tenantById(tenantId);
  if (!tenant) throw new MarketplaceError(500, "InternalServerError", "The publisher's tenant is not in the scenario.");
  const app = ctx.state.scenario.app;
  const api = sameGuid(app.clientId, appId) ? app : { ...app, clientId: appId, accessTokenAcceptedVersion: null };
  return mintApiAccessToken(ctx.signer, {
    authority: ctx.state.authority,
    tenant,
    callerClientId: MARKETPLACE_APP_ID,
    callerObjectId: stableGuid("marketplace-service-principal", tenant.id),
    api,
    requestedResource: appId,
    appidacr: "2",
    lifetimeSeconds: 3600,
    roles: [],
  });
}

async function attempt(ctx: EmulatorContext, delivery: NotificationDelivery): Promise<void> {
  if (delivery.state !== "pending" || !delivery.url || delivery.sending) return;
  delivery.sending = true;
  const settings = ctx.state.scenario.marketplace.settings;
  const started = Date.now();
  let status: number | null = null;
  let error: string | undefined;
  ctx.state.marketplace.inFlight++;
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: { authorization: `Bearer ${await webhookToken(ctx)}`, "content-type": "application/json" },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(settings.webhookTimeoutMs),
    });
    status = response.status;
    await response.body?.cancel().catch(() => undefined);
  } catch (cause) {
    error =
      cause instanceof Error
        ? cause.name === "TimeoutError"
          ? `no answer within ${settings.webhookTimeoutMs} ms`
          : cause.message
        : String(cause);
  } finally {
    ctx.state.marketplace.inFlight--;
    delivery.sending = false;
  }
  // The scenario was replaced meanwhile: this delivery belongs to the old one.
  if (!ctx.state.marketplace.deliveries.includes(delivery)) return;
  delivery.attempts.push({
    at: new Date(started).toISOString(),
    status,
    ...(error ? { error } : {}),
    durationMs: Date.now() - started,
  });
  const op = ctx.state.scenario.marketplace.operations.find((o) => o.id === delivery.operationId);
  if (status === 200) {
    delivery.state = "delivered";
    delivery.nextAttemptAt = null;
    if (op?.status === "InProgress") scheduleAckTimeout(ctx, op);
    return;
  }
  // "PATCH with failure OR respond with 4xx (within 10 seconds)" rejects a change (M-46).
  if (
    status !== null &&
    status >= 400 &&
    status < 500 &&
    op &&
    (op.action === "ChangePlan" || op.action === "ChangeQuantity")
  ) {
    delivery.state = "rejected";
    delivery.nextAttemptAt = null;
    if (op.status === "InProgress")
      completeOperation(ctx, op, "Failure", `The publisher answered ${status} to the webhook.`);
    return;
  }
  if (delivery.attempts.length >= settings.webhookMaxAttempts) {
    delivery.state = "failed";
    delivery.nextAttemptAt = null;
    // Never acknowledged: "the operation … will eventually fail on the Microsoft side" (M-56).
    if (op?.status === "InProgress")
      completeOperation(ctx, op, "Failure", "The publisher's webhook never answered 200.");
    return;
  }
  delivery.nextAttemptAt = Date.now() + settings.webhookRetryIntervalMs;
  ctx.state.marketplace.schedule(() => void attempt(ctx, delivery), settings.webhookRetryIntervalMs);
}

/** Sends every pending delivery now, without waiting for its retry time (tests, the admin page). */
export async function deliverPendingNow(ctx: EmulatorContext): Promise<void> {
  await Promise.all(ctx.state.marketplace.deliveries.filter((d) => d.state === "pending").map((d) => attempt(ctx, d)));
}
