/**
 * The commercial marketplace's part of a scenario (docs/protocol/marketplace.md): the publisher's technical
 * configuration (landing page URL, connection webhook, tenant id, app id), its SaaS offers and plans, and the
 * subscriptions and operations Microsoft keeps for it. Plain JSON-compatible data, validated with zod like the
 * rest of the scenario; runtime-only things (landing tokens, webhook deliveries, timers) live in runtime.ts.
 */
import { z } from "zod";

/** The Marketplace SaaS API's first-party application: a publisher token's resource, the webhook token's caller (M-3, M-58). */
export const MARKETPLACE_APP_ID = "20e940b3-4c77-4b0b-9a53-9e16a1b010a7";
/** The resource id of 2019, replaced by MARKETPLACE_APP_ID; tokens for it are refused (M-5). */
export const LEGACY_MARKETPLACE_RESOURCE = "62d94f6c-d599-489b-a797-3e10e42fbe22";
/** The one documented api-version (M-1). */
export const FULFILLMENT_API_VERSION = "2018-08-31";

/** 8-4-4-4-12 hex, any variant: real subscription ids are not RFC 4122 (M-79). */
export const HEX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hexId = z.string().regex(HEX_ID, "an id like 00000000-0000-0000-0000-000000000000");
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "expected an ISO date");

export const SUBSCRIPTION_STATUSES = [
  "NotStarted",
  "PendingFulfillmentStart",
  "Subscribed",
  "Suspended",
  "Unsubscribed",
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const OPERATION_ACTIONS = [
  "Unsubscribe",
  "ChangePlan",
  "ChangeQuantity",
  "Suspend",
  "Reinstate",
  "Renew",
] as const;
export type OperationAction = (typeof OPERATION_ACTIONS)[number];
export const OPERATION_STATUSES = ["NotStarted", "InProgress", "Succeeded", "Failed", "Conflict"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];
/** Actions the publisher may accept or reject with PATCH operation (M-45); the others only inform. */
export const ACK_ACTIONS: ReadonlySet<OperationAction> = new Set(["ChangePlan", "ChangeQuantity", "Reinstate"]);

export const planSchema = z.object({
  /** At most 50 lowercase letters, digits, dashes and underscores (M-75). */
  planId: z.string().regex(/^[a-z0-9_-]{1,50}$/, "lowercase letters, digits, dashes and underscores, at most 50"),
  displayName: z.string().min(1),
  description: z.string().default(""),
  /** Per-seat plans carry a quantity; others omit it (M-77). */
  isPricePerSeat: z.boolean().default(false),
  minQuantity: z.number().int().min(1).default(1),
  maxQuantity: z.number().int().min(1).default(10_000),
  termUnit: z.enum(["P1M", "P1Y", "P2Y", "P3Y"]).default("P1M"),
  hasFreeTrials: z.boolean().default(false),
  isPrivate: z.boolean().default(false),
});

export const offerSchema = z.object({
  offerId: z.string().min(1),
  displayName: z.string().min(1),
  plans: z.array(planSchema).min(1),
});

export const partySchema = z.object({
  emailId: z.string(),
  objectId: hexId,
  tenantId: hexId,
  puid: z.string().nullable().default(null),
});

export const subscriptionSchema = z.object({
  id: hexId,
  name: z.string().min(1),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  /** Absent for plans that are not per seat (M-77). */
  quantity: z.number().int().min(1).optional(),
  saasSubscriptionStatus: z.enum(SUBSCRIPTION_STATUSES),
  beneficiary: partySchema,
  purchaser: partySchema,
  /** Before activation only `termUnit` (M-28). */
  term: z.object({ termUnit: z.string(), startDate: z.string().optional(), endDate: z.string().optional() }),
  autoRenew: z.boolean().default(true),
  isTest: z.boolean().default(false),
  isFreeTrial: z.boolean().default(false),
  allowedCustomerOperations: z.array(z.enum(["Delete", "Update", "Read"])).default(["Delete", "Update", "Read"]),
  sandboxType: z.enum(["None", "Csp"]).default("None"),
  sessionMode: z.enum(["None", "DryRun"]).default("None"),
  created: isoDate,
  /** Real data shows `0001-01-01T00:00:00` without a zone (M-78). */
  lastModified: z.string().default("0001-01-01T00:00:00"),
});

export const operationSchema = z.object({
  id: hexId,
  subscriptionId: hexId,
  action: z.enum(OPERATION_ACTIONS),
  /** The plan or quantity the operation changes to (ChangePlan / ChangeQuantity), else the subscription's. */
  planId: z.string().optional(),
  quantity: z.number().int().optional(),
  status: z.enum(OPERATION_STATUSES),
  timeStamp: z.string(),
  operationRequestSource: z.enum(["Azure", "Partner"]).default("Azure"),
  errorStatusCode: z.string().optional(),
  errorMessage: z.string().optional(),
});

export const marketplaceSettingsSchema = z.object({
  /** How long a landing-page token resolves: "valid for 24 hours" (M-20). */
  landingTokenLifetimeHours: z.number().positive().default(24),
  /** ChangePlan / ChangeQuantity not patched within this time are accepted (M-46). */
  ackTimeoutSeconds: z.number().positive().default(10),
  /**
   * A Reinstate the publisher does not patch: Microsoft's two pages disagree (M-47, [U]). Strict default: it stays
   * InProgress and the subscription Suspended until the publisher patches it; "accept" completes it after the timeout.
   */
  reinstateWithoutAck: z.enum(["stay-suspended", "accept"]).default("stay-suspended"),
  /** "500 retries over eight hours" (M-56): one every 57.6 s, at most 500. The backoff itself is [U]. */
  webhookRetryIntervalMs: z.number().int().min(1).default(57_600),
  webhookMaxAttempts: z.number().int().min(1).default(500),
  /** How long Microsoft waits for the webhook's answer ([U]). */
  webhookTimeoutMs: z.number().int().min(1).default(10_000),
  /** List subscriptions: "paginated results of 100 per page" (M-30). */
  pageSize: z.number().int().min(1).default(100),
});

export const marketplaceSchema = z.object({
  /** The publisher id in Partner Center (a string such as `contoso`, M-15). */
  publisherId: z.string().min(1).default("northwindtraders"),
  /** Technical configuration (M-74): the tenant and single app that call the APIs; default the scenario's app. */
  tenantId: hexId.optional(),
  appId: hexId.optional(),
  /** Technical configuration: the landing page Microsoft opens with `?token=` (M-69), and the connection webhook. */
  landingPageUrl: z.string().nullable().default(null),
  webhookUrl: z.string().nullable().default(null),
  offers: z.array(offerSchema).default([]),
  subscriptions: z.array(subscriptionSchema).default([]),
  operations: z.array(operationSchema).default([]),
  settings: marketplaceSettingsSchema.default(marketplaceSettingsSchema.parse({})),
});

export type MarketplaceScenario = z.output<typeof marketplaceSchema>;
export type MarketplacePlan = z.output<typeof planSchema>;
export type MarketplaceOffer = z.output<typeof offerSchema>;
export type MarketplaceSubscription = z.output<typeof subscriptionSchema>;
export type MarketplaceOperation = z.output<typeof operationSchema>;
export type MarketplaceParty = z.output<typeof partySchema>;
