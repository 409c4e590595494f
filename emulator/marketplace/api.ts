/**
 * The SaaS Fulfillment API v2 at https://marketplaceapi.localhost:PORT/api (docs/protocol/marketplace.md):
 * resolve, activate, get, list, list available plans, delete, list and get operations, PATCH operation.
 *
 * Strict where Microsoft is silent: api-version must be 2018-08-31 (M-1, M-2); every call needs a publisher token
 * for the marketplace's resource 20e940b3-… issued by the publisher's tenant to its registered app, else 403 (M-3,
 * M-6, M-9; tokens for the 2019 resource are refused, M-5); ids are matched as plain hex (M-79); a PATCH
 * operation takes exactly `Success` or `Failure` (M-44, stricter than the real service, M-48). Error bodies are
 * `{"error":{"code","message"}}` (the OpenAPI document's shape, M-10 [U]); api-version errors have ASP.NET's
 * `{"Error":{"Code","Message"}}` (M-2). Every answer carries x-ms-requestid, x-ms-correlationid and
 * x-ms-activityid (M-7, M-8).
 */
import type { EmulatorContext } from "../context";
import { randomGuid, sameGuid } from "../guid";
import { header, jsonResponse } from "../http";
import type { EmulatorRequest, EmulatorResponse, HeaderValue } from "../http";
import { marketplaceApiOrigin } from "../hosts";
import { FULFILLMENT_API_VERSION, HEX_ID, LEGACY_MARKETPLACE_RESOURCE, MARKETPLACE_APP_ID } from "./schema";
import {
  activate,
  completeOperation,
  findOperation,
  MarketplaceError,
  operationBody,
  publisherOf,
  requireSubscription,
  resolveLandingToken,
  startOperation,
  subscriptionBody,
} from "./service";

const BASE = "/api/saas/subscriptions";

function ids(req: EmulatorRequest): Record<string, string> {
  const requestId = header(req, "x-ms-requestid") ?? randomGuid();
  // When the client sends neither id, the generated two are equal (M-8).
  const correlationId = header(req, "x-ms-correlationid") ?? requestId;
  return { "x-ms-requestid": requestId, "x-ms-correlationid": correlationId, "x-ms-activityid": randomGuid() };
}

function error(
  req: EmulatorRequest,
  status: number,
  code: string,
  message: string,
  headers: Record<string, HeaderValue>,
): EmulatorResponse {
  req.log.errorCode = code;
  return jsonResponse(status, { error: { code, message } }, headers);
}

function empty(status: number, headers: Record<string, HeaderValue>): EmulatorResponse {
  return { status, headers, body: "" };
}

/** The publisher's token, or the 403 Microsoft documents for "invalid, expired, or was not provided" (M-9). */
async function authenticate(ctx: EmulatorContext, req: EmulatorRequest): Promise<string | null> {
  const authorization = header(req, "authorization");
  const token = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined;
  if (!token) return "The authorization token was not provided.";
  let claims: Record<string, unknown>;
  try {
    claims = (await ctx.signer.verify(token, 0)).payload;
  } catch {
    return "The authorization token is invalid or expired.";
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  const appId = typeof claims.appid === "string" ? claims.appid : typeof claims.azp === "string" ? claims.azp : "";
  req.log.tokenTid = tid;
  req.log.tokenAppId = appId;
  const issuers = [`https://sts.windows.net/${tid}/`, `${ctx.state.authority}/${tid}/v2.0`];
  if (typeof claims.iss !== "string" || !issuers.includes(claims.iss) || !ctx.state.tenantById(tid))
    return "The authorization token was not issued by Microsoft Entra ID.";
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (aud.some((a) => sameGuid(String(a), LEGACY_MARKETPLACE_RESOURCE)))
    return "The authorization token is for the retired resource 62d94f6c-…; request it for 20e940b3-4c77-4b0b-9a53-9e16a1b010a7.";
  if (!aud.some((a) => sameGuid(String(a), MARKETPLACE_APP_ID)))
    return "The authorization token is not for the Marketplace SaaS API (resource 20e940b3-4c77-4b0b-9a53-9e16a1b010a7).";
  const publisher = publisherOf(ctx);
  // One app and one tenant per publisher account (M-6, M-86).
  if (!sameGuid(tid, publisher.tenantId) || !sameGuid(appId, publisher.appId))
    return "The calling application is not the one registered in the offer's technical configuration.";
  return null;
}

function readJson(req: EmulatorRequest): Record<string, unknown> | null {
  const text = req.body.toString("utf8").trim();
  if (text === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function handleMarketplaceApi(ctx: EmulatorContext, req: EmulatorRequest): Promise<EmulatorResponse> {
  req.log.kind = "marketplace";
  const headers = ids(req);
  const path = req.url.pathname.replace(/\/+$/, "");
  if (path !== BASE && !path.startsWith(`${BASE}/`))
    return error(req, 404, "NotFound", "The requested resource does not exist.", headers);

  const version = req.url.searchParams.get("api-version");
  if (!version) {
    req.log.errorCode = "ApiVersionUnspecified";
    return jsonResponse(
      400,
      { Error: { Code: "ApiVersionUnspecified", Message: "An API version is required, but was not specified." } },
      headers,
    );
  }
  if (version !== FULFILLMENT_API_VERSION) {
    req.log.errorCode = "UnsupportedApiVersion";
    return jsonResponse(
      400,
      {
        Error: {
          Code: "UnsupportedApiVersion",
          Message: `The HTTP resource that matches the request URI does not support the API version '${version}'.`,
        },
      },
      headers,
    );
  }
  const refused = await authenticate(ctx, req);
  if (refused) return error(req, 403, "Forbidden", refused, headers);

  const segments = path
    .slice(BASE.length)
    .split("/")
    .filter(Boolean)
    .map((s) => decodeURIComponentSafe(s));
  try {
    return route(ctx, req, segments, headers);
  } catch (caught) {
    if (caught instanceof MarketplaceError) return error(req, caught.status, caught.code, caught.message, headers);
    throw caught;
  }
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function methodNotAllowed(
  req: EmulatorRequest,
  allowed: string[],
  headers: Record<string, HeaderValue>,
): EmulatorResponse {
  return error(req, 405, "MethodNotAllowed", `The requested resource does not support http method '${req.method}'.`, {
    ...headers,
    allow: allowed.join(", "),
  });
}

function requireId(id: string | undefined): string {
  // An id that is not hex is simply not found (M-79: no UUID version check).
  if (!id || !HEX_ID.test(id))
    throw new MarketplaceError(
      404,
      "EntityNotFound",
      "SaaS subscription with the specified subscriptionId cannot be found.",
    );
  return id;
}

function operationLocation(ctx: EmulatorContext, subscriptionId: string, operationId: string): string {
  return `${marketplaceApiOrigin(ctx.state.port)}${BASE}/${subscriptionId}/operations/${operationId}?api-version=${FULFILLMENT_API_VERSION}`;
}

function route(
  ctx: EmulatorContext,
  req: EmulatorRequest,
  segments: string[],
  headers: Record<string, HeaderValue>,
): EmulatorResponse {
  const [first, second, third, ...rest] = segments;
  if (rest.length > 0) throw new MarketplaceError(404, "NotFound", "The requested resource does not exist.");

  // POST /resolve — the token in its header, not in the body (M-12).
  if (first === "resolve" && second === undefined) {
    if (req.method !== "POST") return methodNotAllowed(req, ["POST"], headers);
    const subscription = resolveLandingToken(ctx, header(req, "x-ms-marketplace-token"));
    const body = subscriptionBody(ctx, subscription);
    return jsonResponse(
      200,
      {
        id: subscription.id,
        subscriptionName: subscription.name,
        offerId: subscription.offerId,
        planId: subscription.planId,
        ...(subscription.quantity !== undefined ? { quantity: subscription.quantity } : {}),
        subscription: body,
      },
      headers,
    );
  }

  // GET / — every subscription of the publisher, 100 a page (M-29..M-31).
  if (first === undefined) {
    if (req.method !== "GET") return methodNotAllowed(req, ["GET"], headers);
    const all = ctx.state.scenario.marketplace.subscriptions;
    if (all.length === 0) return empty(200, headers);
    const size = ctx.state.scenario.marketplace.settings.pageSize;
    let offset = 0;
    const continuation = req.url.searchParams.get("continuationToken");
    if (continuation) {
      try {
        const parsed = JSON.parse(continuation) as { offset?: unknown };
        offset =
          typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0
            ? parsed.offset
            : Number.NaN;
      } catch {
        offset = Number.NaN;
      }
      if (Number.isNaN(offset)) throw new MarketplaceError(400, "BadRequest", "The continuation token is not valid.");
    }
    const page = all.slice(offset, offset + size).map((s) => subscriptionBody(ctx, s));
    const next =
      offset + size < all.length
        ? `${marketplaceApiOrigin(ctx.state.port)}${BASE}?api-version=${FULFILLMENT_API_VERSION}&continuationToken=${encodeURIComponent(JSON.stringify({ offset: offset + size }))}`
        : null;
    return jsonResponse(200, { subscriptions: page, ...(next ? { "@nextLink": next } : {}) }, headers);
  }

  const subscriptionId = requireId(first);

  if (second === undefined) {
    if (req.method === "GET")
      return jsonResponse(200, subscriptionBody(ctx, requireSubscription(ctx, subscriptionId)), headers);
    if (req.method === "DELETE") {
      const subscription = requireSubscription(ctx, subscriptionId);
      if (subscription.saasSubscriptionStatus === "Unsubscribed")
        throw new MarketplaceError(
          404,
          "EntityNotFound",
          "SaaS subscription with the specified subscriptionId cannot be found.",
        );
      if (!subscription.allowedCustomerOperations.includes("Delete"))
        throw new MarketplaceError(400, "BadRequest", "Delete is not an allowed operation for this subscription.");
      // Cancelled by the publisher: the operation completes and a webhook follows (M-40, M-53).
      const op = startOperation(ctx, subscriptionId, "Unsubscribe", {}, "Partner");
      return empty(202, {
        ...headers,
        "operation-location": operationLocation(ctx, subscriptionId, op.id),
        "operation-id": op.id,
        "retry-after": "10",
      });
    }
    if (req.method === "PATCH")
      throw new MarketplaceError(
        400,
        "BadRequest",
        "Changing a plan or quantity from the publisher's side is not emulated; change it on the emulator's marketplace page.",
      );
    return methodNotAllowed(req, ["GET", "PATCH", "DELETE"], headers);
  }

  if (second === "activate" && third === undefined) {
    if (req.method !== "POST") return methodNotAllowed(req, ["POST"], headers);
    const body = readJson(req);
    if (body === null) throw new MarketplaceError(400, "BadRequest", "The request body must be a JSON object.");
    activate(ctx, requireSubscription(ctx, subscriptionId), body);
    // "There's no response body for this call" (M-25).
    return empty(200, headers);
  }

  if (second === "listAvailablePlans" && third === undefined) {
    if (req.method !== "GET") return methodNotAllowed(req, ["GET"], headers);
    const subscription = requireSubscription(ctx, subscriptionId);
    const offer = ctx.state.scenario.marketplace.offers.find((o) => o.offerId === subscription.offerId);
    const wanted = req.url.searchParams.get("planId");
    const plans = (offer?.plans ?? [])
      .filter((p) => !wanted || p.planId === wanted)
      .map((p) => ({
        planId: p.planId,
        displayName: p.displayName,
        isPrivate: p.isPrivate,
        description: p.description,
        minQuantity: p.minQuantity,
        maxQuantity: p.maxQuantity,
        hasFreeTrials: p.hasFreeTrials,
        isPricePerSeat: p.isPricePerSeat,
        isStopSell: false,
        market: "US",
        planComponents: {
          recurrentBillingTerms: [
            { currency: "USD", price: 0, termUnit: p.termUnit, termDescription: "", meteredQuantityIncluded: [] },
          ],
          meteringDimensions: [],
        },
      }));
    return jsonResponse(200, { plans }, headers);
  }

  if (second === "operations") {
    const subscription = requireSubscription(ctx, subscriptionId);
    if (third === undefined) {
      if (req.method !== "GET") return methodNotAllowed(req, ["GET"], headers);
      // Outstanding operations only, wrapped in an object (M-41, M-84).
      const operations = ctx.state.scenario.marketplace.operations
        .filter((o) => sameGuid(o.subscriptionId, subscription.id) && o.status === "InProgress")
        .map((o) => operationBody(ctx, o));
      return jsonResponse(200, { operations }, headers);
    }
    const op = HEX_ID.test(third) ? findOperation(ctx, subscription.id, third) : undefined;
    if (!op) throw new MarketplaceError(404, "EntityNotFound", "The operation cannot be found for this subscription.");
    if (req.method === "GET") return jsonResponse(200, operationBody(ctx, op), headers);
    if (req.method === "PATCH") {
      const body = readJson(req);
      const status = body?.status;
      if (status !== "Success" && status !== "Failure")
        throw new MarketplaceError(400, "BadRequest", 'The body must be {"status":"Success"} or {"status":"Failure"}.');
      if (!["ChangePlan", "ChangeQuantity", "Reinstate"].includes(op.action))
        throw new MarketplaceError(409, "Conflict", `${op.action} is a notification only; it needs no answer.`);
      if (op.operationRequestSource === "Partner")
        throw new MarketplaceError(409, "Conflict", "The operation was requested by the publisher itself.");
      completeOperation(ctx, op, status, "The publisher rejected the change.");
      return empty(200, headers);
    }
    return methodNotAllowed(req, ["GET", "PATCH"], headers);
  }

  throw new MarketplaceError(404, "NotFound", "The requested resource does not exist.");
}
