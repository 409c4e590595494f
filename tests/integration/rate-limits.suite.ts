// Per-tenant limits (lib/data/rate-limits.ts and the three limits built on it), on the embedded database and on
// PostgreSQL. The concurrent cases fire several times the limit at once: on PostgreSQL they run over the
// pool's several connections, where a count-then-insert in separate statements lets too many through.
import { describe, expect, it } from "vitest";
import { testCustomerScope } from "../support/customer-scope";

const tenant = (n: number) => `cccccccc-0000-4000-8000-${String(n).padStart(12, "0")}`;

export function rateLimitSuite(kind: "pglite" | "postgres") {
  describe(`per-tenant limits (${kind})`, () => {
    it("count per tenant and per bucket, and slide with the window", async () => {
      const { takeRateLimit } = await import("@/lib/data/rate-limits");
      const a = await testCustomerScope(tenant(1));
      const b = await testCustomerScope(tenant(2));
      const limit = { max: 3, windowMs: 60_000 };
      const now = Date.now();
      for (let i = 0; i < 3; i++)
        expect(await takeRateLimit(a, "environment-probe", limit, now)).toEqual({ allowed: true });
      expect(await takeRateLimit(a, "environment-probe", limit, now)).toEqual({ allowed: false, used: 3 });
      // Another bucket, another tenant: untouched.
      expect(await takeRateLimit(a, "consent-verification", limit, now)).toEqual({ allowed: true });
      expect(await takeRateLimit(b, "environment-probe", limit, now)).toEqual({ allowed: true });
      // After the window, slots are free again and the old rows are gone.
      expect(await takeRateLimit(a, "environment-probe", limit, now + 60_001)).toEqual({ allowed: true });
      const { db } = await import("@/lib/db/client");
      expect(await db().rateLimitHit.count({ where: { tenantId: tenant(1), bucket: "environment-probe" } })).toBe(1);
    });

    it("hold under concurrent requests: exactly the limit passes", async () => {
      const { takeRateLimit } = await import("@/lib/data/rate-limits");
      const { db } = await import("@/lib/db/client");
      const scope = await testCustomerScope(tenant(3));
      const limit = { max: 5, windowMs: 60_000 };
      const decisions = await Promise.all(
        Array.from({ length: 30 }, () => takeRateLimit(scope, "environment-probe", limit)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      expect(await db().rateLimitHit.count({ where: { tenantId: tenant(3), bucket: "environment-probe" } })).toBe(5);
      if (kind === "postgres") {
        // The burst really ran over several server connections.
        const [row] = await db().$queryRaw<
          Array<{ n: number }>
        >`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`;
        expect(row!.n).toBeGreaterThan(1);
      }
    });

    it("the check, probe and consent-verification limits, each under a burst of concurrent requests", async () => {
      const { customerCheckRateLimit, CUSTOMER_CHECK_RATE } = await import("@/lib/checks/rate-limit");
      const {
        environmentProbeRateLimit,
        consentVerificationRateLimit,
        ENVIRONMENT_PROBE_RATE,
        CONSENT_VERIFICATION_RATE,
      } = await import("@/lib/onboarding/limits");
      const scope = await testCustomerScope(tenant(4));
      for (const [take, limit] of [
        [customerCheckRateLimit, CUSTOMER_CHECK_RATE],
        [environmentProbeRateLimit, ENVIRONMENT_PROBE_RATE],
        [consentVerificationRateLimit, CONSENT_VERIFICATION_RATE],
      ] as const) {
        const answers = await Promise.all(Array.from({ length: limit.max * 3 }, () => take(scope)));
        expect(answers.filter((a) => a === null)).toHaveLength(limit.max);
        expect(answers.find((a) => a !== null)).toMatch(
          new RegExp(`\\b${limit.max}\\b.*last ${limit.windowMs / 60000} minutes`),
        );
      }
      // Another tenant is not affected.
      expect(await environmentProbeRateLimit(await testCustomerScope(tenant(5)))).toBeNull();
    });
  });

  describe(`API rate limit per calling application (${kind})`, () => {
    it("allows the limit within a minute, then answers when to retry; other apps are not affected", async () => {
      const { takeApiRequest } = await import("@/lib/api/rate-limit");
      // The start of a minute, so the numbers read as in a sliding window: the 4th request 5 s in waits 55 s.
      const now = 17 * 60_000;
      const app = `app-${Math.random()}`;
      for (let i = 0; i < 3; i++)
        expect(await takeApiRequest(app, 3, now + i * 1000)).toMatchObject({ allowed: true, remaining: 2 - i });
      expect(await takeApiRequest(app, 3, now + 5000)).toEqual({ allowed: false, retryAfterSeconds: 55 });
      expect(await takeApiRequest(`${app}-other`, 3, now + 5000)).toMatchObject({ allowed: true });
      expect(await takeApiRequest(app, 3, now + 60_001)).toMatchObject({ allowed: true });
    });

    it("holds under concurrent requests (exactly the limit passes), and rows of past minutes are pruned", async () => {
      const { takeApiRequest } = await import("@/lib/api/rate-limit");
      const { db } = await import("@/lib/db/client");
      const app = `burst-${Math.random()}`;
      const now = Date.now();
      const decisions = await Promise.all(Array.from({ length: 40 }, () => takeApiRequest(app, 7, now)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
      expect(
        decisions
          .filter((d) => !d.allowed)
          .every((d) => !d.allowed && d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60),
      ).toBe(true);
      // Three minutes on, the first request of that minute deletes every window older than the minute before it.
      expect(await db().apiRateWindow.count({ where: { appId: app } })).toBe(1);
      expect(await takeApiRequest(app, 7, now + 3 * 60_000)).toMatchObject({ allowed: true, remaining: 6 });
      expect(await db().apiRateWindow.count({ where: { appId: app } })).toBe(1);
      const kept = Math.floor((now + 3 * 60_000) / 60_000) * 60_000 - 60_000;
      expect(await db().apiRateWindow.count({ where: { windowStart: { lt: new Date(kept) } } })).toBe(0);
    });
  });
}
