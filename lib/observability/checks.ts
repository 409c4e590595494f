import "server-only";

// The hooks lib/checks/run.ts puts at a check's start, at each step and at its end: a span per check (tenant id,
// environment id, trigger, outcome) with one child span per step (outcome, diagnosis, Microsoft's code, its time),
// and the metrics portal_checks_total, portal_check_failures_total, portal_check_duration_seconds and, for a token
// served from MSAL's cache, portal_token_requests_total{result="cache"}. Calls to Microsoft made during the check
// are children of its span (lib/observability/outbound.ts).
import { recordCheck, recordTokenRequest } from "@/lib/observability/metrics";
import { inSpan, recordFinishedSpan, withTenant } from "@/lib/observability/tracing";

export function observeCheck<T>(
  check: { tenantId: string; checkId: string; environmentId: string; trigger: string },
  run: () => Promise<T>,
): Promise<T> {
  return withTenant(check.tenantId, () =>
    inSpan(
      "connection check",
      {
        attributes: () => ({
          "portal.check.id": check.checkId,
          "portal.environment.id": check.environmentId,
          "portal.check.trigger": check.trigger,
        }),
      },
      async (span) => {
        const outcome = await run();
        if (span.isRecording() && typeof outcome === "string") span.setAttribute("portal.check.outcome", outcome);
        return outcome;
      },
    ),
  );
}

/** One settled step, as a child span of the check's (start and end in performance.now() milliseconds). */
export function observeStep(
  step: string,
  verdict: {
    outcome: string;
    diagnosis?: { id: string; microsoftCode: string | null };
    result?: Record<string, unknown>;
  },
  startedAt: number,
  endedAt: number,
): void {
  if (step === "token" && verdict.outcome === "PASSED" && verdict.result?.fromCache === true)
    recordTokenRequest("dataverse", "cache");
  recordFinishedSpan(
    `check step ${step}`,
    startedAt,
    endedAt,
    {
      "portal.check.step": step,
      "portal.step.outcome": verdict.outcome,
      ...(verdict.diagnosis
        ? {
            "portal.step.diagnosis": verdict.diagnosis.id,
            ...(verdict.diagnosis.microsoftCode
              ? { "portal.step.microsoft_code": verdict.diagnosis.microsoftCode }
              : {}),
          }
        : {}),
    },
    verdict.outcome === "FAILED",
  );
}

export function recordCheckEnd(
  trigger: string | undefined,
  summary: { outcome: string; durationMs: number; failingStep: string | null },
  diagnosis: string | null,
): void {
  recordCheck({
    trigger: trigger ?? "UNKNOWN",
    outcome: summary.outcome,
    durationMs: summary.durationMs,
    failingStep: summary.failingStep,
    diagnosis,
  });
}
