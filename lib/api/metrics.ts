import "server-only";

// /api/metrics: who may scrape (the bearer token, compared in constant time) and what it reads.
import { createHash, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { queueGauges, webhookGauges } from "@/lib/data/operations";
import { renderMetrics } from "@/lib/observability/metrics";

const noStore = { "Cache-Control": "no-store" };

/** The refusal to send, or null when the request carries the metrics token. */
export function authorizeMetricsScrape(request: Request): Response | null {
  const token = config().observability.metricsToken;
  if (!token)
    return new Response("Not found\n", {
      status: 404,
      headers: { ...noStore, "Content-Type": "text/plain; charset=utf-8" },
    });
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
  // Hashes first: equal lengths for timingSafeEqual, and nothing about the token's length leaks.
  const digest = (v: string) => createHash("sha256").update(v).digest();
  if (presented && timingSafeEqual(digest(presented), digest(token))) return null;
  return new Response("Unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n", {
    status: 401,
    headers: {
      ...noStore,
      "Content-Type": "text/plain; charset=utf-8",
      "WWW-Authenticate": `Bearer realm="metrics"${presented ? ', error="invalid_token"' : ""}`,
    },
  });
}

export async function metricsResponse(): Promise<Response> {
  const rendered = await renderMetrics(async () => {
    const [queues, webhooks] = await Promise.all([queueGauges(), webhookGauges().catch(() => null)]);
    return { ...queues, webhooks };
  });
  if (!rendered) return new Response("Not found\n", { status: 404, headers: noStore });
  return new Response(rendered.body, { status: 200, headers: { ...noStore, "Content-Type": rendered.contentType } });
}
