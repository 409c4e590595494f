import "server-only";

// Signed lifecycle-event webhooks to the ISV's back end (WEBHOOK_URL). Every event is first written to the
// database (WebhookDelivery), then sent; every attempt is logged (WebhookAttempt) and a failed one is retried
// with exponential backoff, driven from the database: deliverDueWebhooks() sends whatever is due, so a
// scheduler (or the next event) picks up retries after a restart. The first attempt starts at once, in process.
//
// Signature scheme (README "Lifecycle events"), as Stripe's and Svix's: the header
//   Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<t>.<raw body>")>
// lets the receiver check origin and integrity and refuse replays (t too old). Hand-written on node:crypto
// because it is a few lines and the receiver must be able to reproduce it with any HMAC library.
import { logger } from "@/lib/log";
import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { db } from "@/lib/db/client";
import { recordWebhookAttempt } from "@/lib/observability/metrics";

/**
 * An event to deliver, as the events owner (lib/events) hands it over: its type and payload are already checked
 * there (one shape per event). `customerReference` is read from the tenant when left out (pass it when the tenant
 * row is gone, as a disconnect does).
 */
export type LifecycleEvent = {
  type: string;
  tenantId: string;
  environment?: { id: string; url: string } | null;
  customerReference?: string | null;
  /** When the change happened; default now. */
  occurredAt?: Date;
  /** Small extra facts, e.g. { failingStep } for connection.broken or { since } for connection.recovered. */
  data?: Record<string, string | number | boolean | null>;
};

/** The body POSTed, the same for every event (README "Lifecycle events"; the OpenAPI document's LifecycleEvent). */
export type LifecycleEventBody = {
  id: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  customerReference: string | null;
  environment: { id: string; url: string } | null;
  data: Record<string, string | number | boolean | null>;
};

export const SIGNATURE_HEADER = "Portal-Signature";
export const EVENT_ID_HEADER = "Portal-Event-Id";
export const EVENT_TYPE_HEADER = "Portal-Event-Type";

/** Attempts before a delivery is given up (FAILED), and the backoff between them: 30 s, 1 min, 2 min, … ≤ 6 h. */
export const MAX_ATTEMPTS = 10;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 60 * 60 * 1000;
const ATTEMPT_TIMEOUT_MS = 10_000;
/** A delivery claimed by a deliverer stays claimed this long (longer than one attempt can take). */
const CLAIM_MS = 60_000;

export function retryDelayMs(attempt: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS);
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

/**
 * The receiver's check (used by the tests' receiver; the README shows the same steps): the header parses, the
 * timestamp is within `toleranceSeconds` of now, and one v1 signature matches in constant time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(t)) return false;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).split("v1=")[1]!, "hex");
  return parts.some(([k, v]) => {
    if (k !== "v1" || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(Buffer.from(v, "hex"), expected);
  });
}

let offNoticeShown = false;

/**
 * Records the event for delivery and starts delivering at once. Never throws: the state change it reports is
 * already committed, and a lost event is logged rather than undoing it. With WEBHOOK_URL unset it only logs.
 */
export async function publishLifecycleEvent(event: LifecycleEvent): Promise<void> {
  try {
    const settings = config().webhooks;
    if (!settings) {
      if (!offNoticeShown)
        logger().info(`webhooks: off (WEBHOOK_URL is not set); lifecycle events such as ${event.type} are not sent`);
      offNoticeShown = true;
      return;
    }
    const customerReference =
      event.customerReference !== undefined
        ? event.customerReference
        : ((await db().tenant.findUnique({ where: { id: event.tenantId }, select: { customerReference: true } }))
            ?.customerReference ?? null);
    const id = crypto.randomUUID();
    const body: LifecycleEventBody = {
      id,
      type: event.type,
      occurredAt: (event.occurredAt ?? new Date()).toISOString(),
      tenantId: event.tenantId,
      customerReference,
      environment: event.environment ?? null,
      data: event.data ?? {},
    };
    await db().webhookDelivery.create({
      data: {
        id,
        eventType: event.type,
        tenantId: event.tenantId,
        body: JSON.stringify(body),
        nextAttemptAt: new Date(),
      },
      select: { id: true },
    });
    deliverSoon();
  } catch (error) {
    logger().error(
      { type: event.type, tenantId: event.tenantId, err: error instanceof Error ? error.message : String(error) },
      "webhooks: could not record the event",
    );
  }
}

// One delivery run at a time per process; an event published meanwhile asks for one more run.
let running: Promise<void> | null = null;
let again = false;

function deliverSoon(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    do {
      again = false;
      await deliverDueWebhooks().catch((error: unknown) =>
        logger().error(
          { err: error instanceof Error ? error.message : String(error) },
          "webhooks: delivery run failed",
        ),
      );
    } while (again);
  })().finally(() => {
    running = null;
  });
}

/** For tests: resolves when the in-process delivery started by publishLifecycleEvent has finished. */
export async function webhookDeliveryIdle(): Promise<void> {
  while (running) await running;
}

export type DeliveryRunResult = { attempted: number; delivered: number };

/**
 * Sends every PENDING delivery whose next attempt is due (oldest first, at most `limit`). Safe to call from
 * several processes at once: each delivery is claimed with a conditional update before it is sent.
 */
export async function deliverDueWebhooks(options: { now?: Date; limit?: number } = {}): Promise<DeliveryRunResult> {
  const settings = config().webhooks;
  if (!settings) return { attempted: 0, delivered: 0 };
  const now = options.now ?? new Date();
  const due = await db().webhookDelivery.findMany({
    where: {
      status: "PENDING",
      nextAttemptAt: { lte: now },
      OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
    },
    orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
    take: options.limit ?? 50,
    select: { id: true },
  });
  let attempted = 0;
  let delivered = 0;
  for (const { id } of due) {
    const claimed = await db().webhookDelivery.updateMany({
      where: { id, status: "PENDING", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
      data: { lockedUntil: new Date(now.getTime() + CLAIM_MS) },
    });
    if (claimed.count !== 1) continue;
    attempted++;
    if (await attempt(id, settings)) delivered++;
  }
  return { attempted, delivered };
}

async function attempt(deliveryId: string, settings: { url: string; secret: string }): Promise<boolean> {
  const delivery = await db().webhookDelivery.findUniqueOrThrow({
    where: { id: deliveryId },
    select: { body: true, eventType: true, attemptCount: true },
  });
  const number = delivery.attemptCount + 1;
  const started = Date.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    // Not lib/http/outbound.ts: that is the door to Microsoft (its hosts, its SSRF rules); this URL is the
    // ISV's own, from configuration.
    const response = await fetch(settings.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "tenant-onboarding-portal-webhooks/1",
        [EVENT_ID_HEADER]: deliveryId,
        [EVENT_TYPE_HEADER]: delivery.eventType,
        [SIGNATURE_HEADER]: signWebhook(settings.secret, Math.floor(Date.now() / 1000), delivery.body),
      },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    statusCode = response.status;
    await response.body?.cancel().catch(() => undefined);
    if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
  } catch (cause) {
    error = describeFailure(cause);
  }
  const ok = error === null;
  const last = !ok && number >= MAX_ATTEMPTS;
  const nextAttemptAt = ok || last ? null : new Date(Date.now() + retryDelayMs(number));
  const finishedAt = new Date();
  recordWebhookAttempt(ok ? "delivered" : last ? "given_up" : "failed");
  await db().$transaction([
    db().webhookAttempt.create({
      data: {
        deliveryId,
        attempt: number,
        at: new Date(started),
        statusCode,
        error,
        durationMs: finishedAt.getTime() - started,
        nextAttemptAt,
      },
      select: { id: true },
    }),
    db().webhookDelivery.update({
      where: { id: deliveryId },
      data: {
        attemptCount: number,
        status: ok ? "DELIVERED" : last ? "FAILED" : "PENDING",
        nextAttemptAt,
        lockedUntil: null,
        deliveredAt: ok ? finishedAt : null,
      },
      select: { id: true },
    }),
  ]);
  return ok;
}

function describeFailure(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === "TimeoutError") return `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`;
    const code = (cause.cause as { code?: string } | undefined)?.code;
    return code ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}
