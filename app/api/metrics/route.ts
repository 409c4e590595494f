// GET /api/metrics: Prometheus text format (lib/observability/metrics.ts), for the scraper only. Never public: with
// METRICS_TOKEN unset it does not exist (404); otherwise it answers only `Authorization: Bearer <METRICS_TOKEN>`.
import { authorizeMetricsScrape, metricsResponse } from "@/lib/api/metrics";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  return authorizeMetricsScrape(request) ?? (await metricsResponse());
}
