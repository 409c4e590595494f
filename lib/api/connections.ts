import "server-only";

// The /api/v1 route logic: authenticate, rate-limit, validate the query with the API's zod schemas, read, shape
// the answer with the same schemas, and answer with an ETag (304 on If-None-Match). Route files only call these.
import { createHash } from "node:crypto";
import type { z } from "zod";
import { authenticateApiRequest, challengeHeader, type ApiCaller } from "@/lib/api/auth";
import { environmentState, tenantState } from "@/lib/api/connection-state";
import { problemResponse } from "@/lib/api/problem";
import { takeApiRequest } from "@/lib/api/rate-limit";
import {
  connectionListSchema,
  connectionSchema,
  DEFAULT_PAGE_SIZE,
  listQuerySchema,
  tenantIdParamSchema,
  type ApiConnection,
} from "@/lib/api/schemas";
import { config } from "@/lib/config";
import { getConnection, listConnections, type ConnectionRow } from "@/lib/data/isv/connections";
import { API_SUBSCRIPTION_STATUS, currentSubscriptionOf } from "@/lib/subscriptions/vocabulary";

const CLOUDS = { PUBLIC: "public", GCC: "gcc", GCC_HIGH: "gcc_high", DOD: "dod", CHINA: "china" } as const;

/** The region label of a Dataverse host: contoso.crm4.dynamics.com → crm4 (docs/protocol/dataverse.md B1). */
function regionOf(url: string): string | null {
  try {
    return new URL(url).hostname.split(".").find((label) => /^crm\d*$/.test(label)) ?? null;
  } catch {
    return null;
  }
}

export function toApiConnection(row: ConnectionRow): ApiConnection {
  const updatedAt = [...row.environments, ...row.subscriptions].reduce(
    (max, e) => (e.updatedAt > max ? e.updatedAt : max),
    row.updatedAt,
  );
  const subscription = currentSubscriptionOf(row.subscriptions);
  return connectionSchema.parse({
    tenantId: row.id,
    customerReference: row.customerReference,
    displayName: row.displayName,
    primaryDomain: row.primaryDomain,
    state: tenantState(row),
    consentGrantedAt: row.consentGrantedAt?.toISOString() ?? null,
    lastVerifiedAt: row.latestCheckAt?.toISOString() ?? null,
    updatedAt: updatedAt.toISOString(),
    environments: row.environments.map((e) => ({
      id: e.id,
      url: e.url,
      organizationId: e.organizationId,
      region: regionOf(e.url),
      cloud: CLOUDS[e.cloud],
      friendlyName: e.friendlyName,
      state: environmentState(row, e),
      lastVerifiedAt: e.latestCheckAt?.toISOString() ?? null,
      failingStep: e.latestCheckOutcome === "FAILED" ? e.latestFailingStep : null,
      registeredAt: e.createdAt.toISOString(),
    })),
    subscription: subscription
      ? {
          id: subscription.id,
          offerId: subscription.offerId,
          planId: subscription.planId,
          quantity: subscription.quantity,
          status: API_SUBSCRIPTION_STATUS[subscription.status],
          activatedAt: subscription.activatedAt?.toISOString() ?? null,
        }
      : null,
  });
}

// The cursor is opaque to callers: base64url("v1:<last tenant id>").
export function encodeCursor(tenantId: string): string {
  return Buffer.from(`v1:${tenantId}`).toString("base64url");
}

export function decodeCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^v1:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(text);
  return match ? match[1]! : null;
}

/** Authenticated and within its rate: the caller; otherwise the refusal to send. */
async function admit(request: Request): Promise<{ caller: ApiCaller } | { refusal: Response }> {
  const auth = await authenticateApiRequest(request);
  if (!auth.ok) {
    const { failure } = auth;
    if (failure.status === 503)
      return { refusal: problemResponse(503, "not-configured", failure.detail, { headers: { "Retry-After": "30" } }) };
    const kind = failure.status === 403 ? "insufficient-role" : failure.error ? "invalid-token" : "unauthenticated";
    return {
      refusal: problemResponse(failure.status, kind, failure.detail, {
        headers: { "WWW-Authenticate": challengeHeader(failure) },
      }),
    };
  }
  const limit = config().api.rateLimitPerMinute;
  const decision = await takeApiRequest(auth.caller.appId, limit);
  if (!decision.allowed) {
    return {
      refusal: problemResponse(
        429,
        "rate-limited",
        `This application may make ${limit} requests per minute. Retry after ${decision.retryAfterSeconds} s.`,
        {
          headers: { "Retry-After": String(decision.retryAfterSeconds) },
        },
      ),
    };
  }
  return { caller: auth.caller };
}

function invalidParams(error: z.ZodError): Array<{ name: string; reason: string }> {
  return error.issues.map((issue) =>
    issue.code === "unrecognized_keys"
      ? { name: issue.keys.join(", "), reason: "is not a parameter of this operation" }
      : { name: String(issue.path[0] ?? "query"), reason: issue.message },
  );
}

/** JSON with a strong ETag of its bytes; 304 when the caller already has them. */
function jsonWithEtag(request: Request, body: unknown): Response {
  const text = JSON.stringify(body);
  const etag = `"${createHash("sha256").update(text).digest("base64url")}"`;
  const headers = { ETag: etag, "Cache-Control": "private, no-cache", Vary: "Authorization" };
  const ifNoneMatch = request.headers.get("if-none-match");
  if (
    ifNoneMatch &&
    (ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))
  ) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(text, { status: 200, headers: { ...headers, "Content-Type": "application/json" } });
}

export async function handleListConnections(request: Request): Promise<Response> {
  const admitted = await admit(request);
  if ("refusal" in admitted) return admitted.refusal;
  const url = new URL(request.url);
  // No prototype: a parameter named `__proto__` (or `constructor`) is an own key like any other, so the strict
  // schema refuses it as unknown instead of it vanishing into the object's prototype.
  const raw: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(raw, key))
      return problemResponse(400, "invalid-request", `The parameter '${key}' is given more than once.`, {
        invalidParams: [{ name: key, reason: "is repeated" }],
      });
    raw[key] = value;
  }
  const parsed = listQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const params = invalidParams(parsed.error);
    return problemResponse(400, "invalid-request", params.map((p) => `${p.name} ${p.reason}`).join("; "), {
      invalidParams: params,
    });
  }
  const query = parsed.data;
  let afterTenantId: string | undefined;
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor);
    if (!decoded)
      return problemResponse(400, "invalid-request", "cursor must be a nextCursor returned by a previous page.", {
        invalidParams: [{ name: "cursor", reason: "is not a cursor of this API" }],
      });
    afterTenantId = decoded;
  }
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const { rows, hasMore } = await listConnections({
    ...(query.state ? { state: query.state } : {}),
    ...(query.updatedSince ? { updatedSince: new Date(query.updatedSince) } : {}),
    ...(afterTenantId ? { afterTenantId } : {}),
    limit,
  });
  const body = connectionListSchema.parse({
    data: rows.map(toApiConnection),
    nextCursor: hasMore && rows.length ? encodeCursor(rows[rows.length - 1]!.id) : null,
  });
  return jsonWithEtag(request, body);
}

export async function handleGetConnection(request: Request, params: { tenantId: string }): Promise<Response> {
  const admitted = await admit(request);
  if ("refusal" in admitted) return admitted.refusal;
  const parsed = tenantIdParamSchema.safeParse(params);
  if (!parsed.success)
    return problemResponse(400, "invalid-request", "tenantId must be a tenant id (a GUID).", {
      invalidParams: [{ name: "tenantId", reason: "is not a GUID" }],
    });
  const row = await getConnection(parsed.data.tenantId);
  if (!row) return problemResponse(404, "not-found", "No connected tenant has this id.");
  return jsonWithEtag(request, toApiConnection(row));
}
