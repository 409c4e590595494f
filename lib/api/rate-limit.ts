import "server-only";

// Requests per minute per calling application (the token's `azp`), a sliding window kept in this process. Per
// instance on purpose: it protects this instance's database from a runaway client without a database write on
// every read; several instances each allow API_RATE_LIMIT_PER_MINUTE.
const WINDOW_MS = 60_000;
const hits = new Map<string, number[]>();

export type ApiRateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export function takeApiRequest(appId: string, limitPerMinute: number, now = Date.now()): ApiRateDecision {
  const since = now - WINDOW_MS;
  const recent = (hits.get(appId) ?? []).filter((t) => t > since);
  if (recent.length >= limitPerMinute) {
    hits.set(appId, recent);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000)) };
  }
  recent.push(now);
  hits.set(appId, recent);
  // Forget callers that went quiet, so the map does not grow with every app id ever seen.
  if (hits.size > 1000) for (const [id, times] of hits) if (!times.some((t) => t > since)) hits.delete(id);
  return { allowed: true, remaining: limitPerMinute - recent.length };
}
