import "server-only";

// The SaaS Fulfillment API v2 of Microsoft's commercial marketplace, as a client (docs/protocol/marketplace.md):
// resolve a landing token, activate, get a subscription, get an operation and answer it. Every call carries the
// publisher's token (client credentials in the ISV's own tenant for the resource 20e940b3-…, M-3) and goes through
// the one outbound door (lib/http/outbound.ts). Answers are read leniently — Microsoft adds fields, writes dates in
// several forms and quantities as numbers or strings (M-54, M-77, M-78) — and errors become a FulfillmentError
// naming what went wrong, never a thrown parse error.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { config } from "@/lib/config";
import { marketplaceAppToken } from "@/lib/entra/msal";
import { OutboundError, outboundFetch } from "@/lib/http/outbound";

export const FULFILLMENT_API_VERSION = "2018-08-31";

/** Microsoft's ids: 8-4-4-4-12 hex, not always RFC 4122 (M-79), so no version check. */
export const MARKETPLACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type FulfillmentErrorKind = "bad-request" | "forbidden" | "not-found" | "conflict" | "unavailable" | "malformed";

export class FulfillmentError extends Error {
  constructor(
    readonly kind: FulfillmentErrorKind,
    readonly status: number | null,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = "FulfillmentError";
  }
}

/** `2023-02-10T18:48:58.4449937Z`, `2021-03-15T00:00:00Z` and `0001-01-01T00:00:00` all parse (M-78). */
const marketplaceDate = z.preprocess((v) => {
  if (typeof v !== "string" || v.trim() === "" || v.startsWith("0001-")) return null;
  const text = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`;
  const date = new Date(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(date.getTime()) ? null : date;
}, z.date().nullable());

/** An integer, a numeric string, or nothing (`""`, null, absent): M-77. */
const marketplaceQuantity = z.preprocess((v) => {
  if (v === undefined || v === null || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
}, z.number().int().nullable());

const party = z
  .object({
    emailId: z.string().nullish(),
    objectId: z.string().regex(MARKETPLACE_ID).nullish(),
    tenantId: z.string().regex(MARKETPLACE_ID).nullish(),
  })
  .nullish();

export const SUBSCRIPTION_STATUSES_MS = [
  "NotStarted",
  "PendingFulfillmentStart",
  "Subscribed",
  "Suspended",
  "Unsubscribed",
] as const;
export type MicrosoftSubscriptionStatus = (typeof SUBSCRIPTION_STATUSES_MS)[number];

const subscriptionWire = z.object({
  id: z.string().regex(MARKETPLACE_ID),
  name: z.string().nullish(),
  publisherId: z.string().nullish(),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity: marketplaceQuantity.optional(),
  saasSubscriptionStatus: z.enum(SUBSCRIPTION_STATUSES_MS),
  beneficiary: party,
  purchaser: party,
  term: z
    .object({
      termUnit: z.string().nullish(),
      startDate: marketplaceDate.optional(),
      endDate: marketplaceDate.optional(),
    })
    .nullish(),
  isTest: z.boolean().nullish(),
  isFreeTrial: z.boolean().nullish(),
});

const resolvedWire = z.object({
  id: z.string().regex(MARKETPLACE_ID),
  subscriptionName: z.string().nullish(),
  offerId: z.string().min(1),
  planId: z.string().min(1),
  quantity: marketplaceQuantity.optional(),
  subscription: subscriptionWire,
});

/** What the portal keeps of a subscription Microsoft described. */
export type SubscriptionFacts = {
  id: string;
  name: string;
  publisherId: string;
  offerId: string;
  planId: string;
  quantity: number | null;
  status: MicrosoftSubscriptionStatus;
  beneficiary: { tenantId: string; emailId: string | null; objectId: string | null };
  purchaser: { tenantId: string | null; emailId: string | null; objectId: string | null };
  isTest: boolean;
  isFreeTrial: boolean;
  term: { unit: string | null; startDate: Date | null; endDate: Date | null };
};

function toFacts(
  s: z.infer<typeof subscriptionWire>,
  overrides: { name?: string | null | undefined; quantity?: number | null | undefined } = {},
): SubscriptionFacts {
  const beneficiaryTenant = s.beneficiary?.tenantId ?? s.purchaser?.tenantId;
  if (!beneficiaryTenant)
    throw new FulfillmentError("malformed", 200, null, "the subscription names no beneficiary tenant");
  return {
    id: s.id.toLowerCase(),
    name: overrides.name ?? s.name ?? s.offerId,
    publisherId: s.publisherId ?? "",
    offerId: s.offerId,
    planId: s.planId,
    quantity: overrides.quantity ?? s.quantity ?? null,
    status: s.saasSubscriptionStatus,
    beneficiary: {
      tenantId: beneficiaryTenant.toLowerCase(),
      emailId: s.beneficiary?.emailId ?? null,
      objectId: s.beneficiary?.objectId?.toLowerCase() ?? null,
    },
    purchaser: {
      tenantId: s.purchaser?.tenantId?.toLowerCase() ?? null,
      emailId: s.purchaser?.emailId ?? null,
      objectId: s.purchaser?.objectId?.toLowerCase() ?? null,
    },
    isTest: s.isTest ?? false,
    isFreeTrial: s.isFreeTrial ?? false,
    term: { unit: s.term?.termUnit ?? null, startDate: s.term?.startDate ?? null, endDate: s.term?.endDate ?? null },
  };
}

export const OPERATION_STATUSES_MS = ["NotStarted", "InProgress", "Succeeded", "Failed", "Conflict"] as const;

const operationWire = z.object({
  id: z.string().regex(MARKETPLACE_ID),
  subscriptionId: z.string().regex(MARKETPLACE_ID),
  // Open: Microsoft adds actions (Subscribe, Transfer, …: M-54).
  action: z.string().min(1),
  planId: z.string().nullish(),
  quantity: marketplaceQuantity.optional(),
  status: z.enum(OPERATION_STATUSES_MS),
  timeStamp: marketplaceDate.optional(),
  operationRequestSource: z.string().nullish(),
});

export type OperationFacts = {
  id: string;
  subscriptionId: string;
  action: string;
  planId: string | null;
  quantity: number | null;
  status: (typeof OPERATION_STATUSES_MS)[number];
  timeStamp: Date | null;
  source: string | null;
};

type Call = { method: "GET" | "POST" | "PATCH"; path: string; headers?: Record<string, string>; body?: unknown };

async function call(request: Call): Promise<{ status: number; text: string }> {
  let token: string;
  try {
    token = (await marketplaceAppToken()).accessToken;
  } catch (error) {
    throw new FulfillmentError(
      "unavailable",
      null,
      null,
      `no token for the marketplace API: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const base = config().marketplace.apiUrl;
  const separator = request.path.includes("?") ? "&" : "?";
  const url = `${base}/saas/subscriptions${request.path}${separator}api-version=${FULFILLMENT_API_VERSION}`;
  const id = randomUUID();
  try {
    const response = await outboundFetch("marketplace", url, {
      method: request.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/json",
        "x-ms-requestid": id,
        "x-ms-correlationid": id,
        ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
        ...request.headers,
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    if (error instanceof OutboundError) throw new FulfillmentError("unavailable", null, null, error.message);
    throw error;
  }
}

/** Microsoft's error code and message from any of the shapes seen (M-2, M-10). */
function errorOf(status: number, text: string): FulfillmentError {
  let code: string | null = null;
  let message = `the marketplace API answered ${status}`;
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const inner = (body.error ?? body.Error ?? body) as Record<string, unknown>;
    const c = inner.code ?? inner.Code;
    const m = inner.message ?? inner.Message;
    if (typeof c === "string") code = c;
    if (typeof m === "string") message = `${message}: ${m}`;
  } catch {
    // not JSON: the status says enough
  }
  const kind: FulfillmentErrorKind =
    status === 400
      ? "bad-request"
      : status === 401 || status === 403
        ? "forbidden"
        : status === 404
          ? "not-found"
          : status === 409
            ? "conflict"
            : "unavailable";
  return new FulfillmentError(kind, status, code, message);
}

function parse<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FulfillmentError("malformed", 200, null, `${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new FulfillmentError(
      "malformed",
      200,
      null,
      `${what} is not what Microsoft documents: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""}`.trim(),
    );
  return parsed.data;
}

/**
 * The landing token's subscription (M-12..M-21). The token goes in its header, decoded once (the page's search
 * parameters are); 400 means missing, malformed, invalid or expired.
 */
export async function resolveSubscription(token: string): Promise<SubscriptionFacts> {
  const { status, text } = await call({
    method: "POST",
    path: "/resolve",
    headers: { "x-ms-marketplace-token": token },
  });
  if (status !== 200) throw errorOf(status, text);
  const resolved = parse(resolvedWire, text, "the resolve answer");
  return toFacts(resolved.subscription, {
    name: resolved.subscriptionName,
    quantity: resolved.quantity ?? resolved.subscription.quantity,
  });
}

/** Activate with the purchased plan (and quantity for a per-seat plan): 200 with no body (M-24, M-25). */
export async function activateSubscription(
  subscriptionId: string,
  plan: { planId: string; quantity: number | null },
): Promise<void> {
  const body: Record<string, unknown> = { planId: plan.planId };
  if (plan.quantity !== null) body.quantity = plan.quantity;
  const { status, text } = await call({
    method: "POST",
    path: `/${encodeURIComponent(subscriptionId)}/activate`,
    body,
  });
  if (status !== 200) throw errorOf(status, text);
}

export async function getSubscription(subscriptionId: string): Promise<SubscriptionFacts> {
  const { status, text } = await call({ method: "GET", path: `/${encodeURIComponent(subscriptionId)}` });
  if (status !== 200) throw errorOf(status, text);
  return toFacts(parse(subscriptionWire, text, "the subscription"));
}

/** Get Operation: what Microsoft says about an operation a webhook named (M-42, M-55). */
export async function getOperation(subscriptionId: string, operationId: string): Promise<OperationFacts> {
  const { status, text } = await call({
    method: "GET",
    path: `/${encodeURIComponent(subscriptionId)}/operations/${encodeURIComponent(operationId)}`,
  });
  if (status !== 200) throw errorOf(status, text);
  const op = parse(operationWire, text, "the operation");
  return {
    id: op.id.toLowerCase(),
    subscriptionId: op.subscriptionId.toLowerCase(),
    action: op.action,
    planId: op.planId ?? null,
    quantity: op.quantity ?? null,
    status: op.status,
    timeStamp: op.timeStamp ?? null,
    source: op.operationRequestSource ?? null,
  };
}

/** Accept or reject a ChangePlan, ChangeQuantity or Reinstate (M-44..M-46): `Success` or `Failure`, 200 on success. */
export async function answerOperation(
  subscriptionId: string,
  operationId: string,
  answer: "Success" | "Failure",
): Promise<void> {
  const { status, text } = await call({
    method: "PATCH",
    path: `/${encodeURIComponent(subscriptionId)}/operations/${encodeURIComponent(operationId)}`,
    body: { status: answer },
  });
  if (status !== 200) throw errorOf(status, text);
}
