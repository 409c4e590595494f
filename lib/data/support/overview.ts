import "server-only";

// The console's front-page figures: the onboarding funnel and the last week's failures by step. Aggregate
// queries over every tenant (support staff only; see tenants.ts for why this is not tenant-scoped).
import { db } from "@/lib/db/client";
import { CHECK_STEPS, type CheckStepName } from "@/lib/checks/vocabulary";

export type FunnelStage = "signed-in" | "consented" | "environment" | "verified";

export type Funnel = {
  total: number;
  /** Tenants that got at least this far (so each figure includes the later stages). */
  reached: Record<FunnelStage, number>;
  /** Tenants whose latest check failed, at any step. */
  failing: number;
  /** Tenants that disconnected (not counted in the funnel: nothing of their onboarding is left). */
  disconnected: number;
};

// "Reached" by the furthest evidence: a check that got past the application-user step proves the app user;
// an environment proves registration; consent comes from the verified consent state.
const PAST_APP_USER = ["roles", "privileges", "sample-read"];

export async function onboardingFunnel(): Promise<Funnel> {
  const rows = await db().$queryRaw<
    Array<{ total: number; consented: number; environment: number; verified: number; failing: number }>
  >`
    WITH t AS (
      SELECT
        (x."latestCheckOutcome" IN ('PASSED', 'WARNING') OR (x."latestCheckOutcome" = 'FAILED' AND x."latestFailingStep" = ANY(${PAST_APP_USER}::text[]))) AS verified,
        x."environmentCount" > 0 AS has_env,
        x."consentState" = 'GRANTED' AS consented,
        x."latestCheckOutcome" = 'FAILED' AS failing
      FROM "Tenant" x
      WHERE x."disconnectedAt" IS NULL
    )
    SELECT
      count(*)::int AS total,
      count(*) FILTER (WHERE verified OR has_env OR consented)::int AS consented,
      count(*) FILTER (WHERE verified OR has_env)::int AS environment,
      count(*) FILTER (WHERE verified)::int AS verified,
      count(*) FILTER (WHERE failing)::int AS failing
    FROM t`;
  const r = rows[0] ?? { total: 0, consented: 0, environment: 0, verified: 0, failing: 0 };
  const disconnected = await db().tenant.count({ where: { disconnectedAt: { not: null } } });
  return {
    total: r.total,
    reached: { "signed-in": r.total, consented: r.consented, environment: r.environment, verified: r.verified },
    failing: r.failing,
    disconnected,
  };
}

export type StepFailures = { step: CheckStepName; checks: number; tenants: number };

/** Failed checks since `since`, by the step that failed, every step listed (zero included) in check order. */
export async function failuresByStep(since: Date): Promise<StepFailures[]> {
  const rows = await db().$queryRaw<Array<{ step: string | null; checks: number; tenants: number }>>`
    SELECT "failingStep" AS step, count(*)::int AS checks, count(DISTINCT "tenantId")::int AS tenants
    FROM "ConnectionCheck"
    WHERE "outcome" = 'FAILED' AND "startedAt" >= ${since}
    GROUP BY "failingStep"`;
  return CHECK_STEPS.map((step) => {
    const row = rows.find((r) => r.step === step);
    return { step, checks: row?.checks ?? 0, tenants: row?.tenants ?? 0 };
  });
}
