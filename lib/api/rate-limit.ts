import "server-only";

// Requests per minute per calling application (the token's `azp`), counted in the database
// (lib/data/rate-limits.ts takeApiWindowSlot), so the limit holds across every portal replica: N replicas
// together allow API_RATE_LIMIT_PER_MINUTE, not N times it. Fixed one-minute windows (one row per app per
// minute, one atomic upsert per request) rather than a sliding log: a sliding window would need a row per
// request, and a caller that waits for Retry-After gets its full allowance back at once.
import { takeApiWindowSlot } from "@/lib/data/rate-limits";

const WINDOW_MS = 60_000;

export type ApiRateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export async function takeApiRequest(
  appId: string,
  limitPerMinute: number,
  now = Date.now(),
): Promise<ApiRateDecision> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const decision = await takeApiWindowSlot(appId, new Date(windowStart), limitPerMinute);
  if (!decision.allowed)
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)) };
  return { allowed: true, remaining: limitPerMinute - decision.count };
}
