import "server-only";

// The webhook delivery log, as the support console shows it (staff-only, unscoped): each lifecycle event sent to
// WEBHOOK_URL with its attempts (status code, error, next attempt).
import { db } from "@/lib/db/client";

export async function listWebhookDeliveries(take = 50) {
  return db().webhookDelivery.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      eventType: true,
      tenantId: true,
      status: true,
      attemptCount: true,
      nextAttemptAt: true,
      createdAt: true,
      deliveredAt: true,
      attempts: {
        orderBy: { attempt: "asc" },
        select: { attempt: true, at: true, statusCode: true, error: true, durationMs: true, nextAttemptAt: true },
      },
    },
  });
}

export type WebhookDeliveryRow = Awaited<ReturnType<typeof listWebhookDeliveries>>[number];
