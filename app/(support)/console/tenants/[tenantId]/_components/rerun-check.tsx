"use client";

import { rerunCheckAction } from "@/app/(support)/console/actions";
import { useCheckProgress } from "@/components/checks/use-check-progress";
import { SupportCheckSteps, type SupportStepView } from "@/components/support/check-steps";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { CheckProgressLine } from "@/components/checks/progress-line";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import { Button } from "@/components/ui/button";

/** "Re-run check now" for one environment: starts a check on the server and follows it to the end. */
export function RerunCheck({
  tenantId,
  environmentId,
  environmentUrl,
}: {
  tenantId: string;
  environmentId: string;
  environmentUrl: string;
}) {
  const { check, error, running, start } = useCheckProgress<SupportStepView>(
    () => rerunCheckAction(tenantId, environmentId),
    (id) => `/console/api/checks/${id}`,
  );
  return (
    <div>
      <Button onClick={start} disabled={running} size="sm" aria-label={`Re-run check now for ${environmentUrl}`}>
        {running ? "Checking…" : "Re-run check now"}
      </Button>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {check ? (
        <section
          aria-label={`Re-run of ${environmentUrl}`}
          aria-live="polite"
          className="mt-3 rounded-lg border border-slate-200 p-3"
        >
          <div className="flex items-center justify-between text-sm">
            <span className="font-semibold">Check started just now</span>
            <span className="flex items-center gap-3 text-slate-600">
              {check.durationMs !== null ? <span>{check.durationMs} ms</span> : null}
              <span data-testid="rerun-outcome">
                <OutcomeBadge outcome={check.outcome} />
              </span>
            </span>
          </div>
          {check.outcome === "RUNNING" ? (
            <CheckProgressLine
              startedAt={check.startedAt}
              currentLabel={check.currentStep ? staffStepLabel(check.currentStep) : null}
              waitingUntil={check.waitingUntil}
            />
          ) : null}
          <SupportCheckSteps steps={check.steps} />
        </section>
      ) : null}
    </div>
  );
}
