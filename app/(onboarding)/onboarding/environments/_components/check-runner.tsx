"use client";

import { startCheckAction } from "@/app/(onboarding)/onboarding/actions";
import { CheckProgressLine } from "@/components/checks/progress-line";
import { useCheckProgress } from "@/components/checks/use-check-progress";
import { CheckSteps, type StepView } from "@/components/onboarding/check-steps";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { customerStepLabel } from "@/lib/checks/vocabulary";
import { Button } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";

/** Starts a check on the server and follows it step by step until it finishes; picks up one already running. */
export function CheckRunner({ environmentId, roleName, runningCheckId }: { environmentId: string; roleName: string; runningCheckId: string | null }) {
  const { check, error, running, start } = useCheckProgress<StepView>(
    () => startCheckAction(environmentId),
    (id) => `/api/checks/${id}`,
    runningCheckId,
  );
  return (
    <div>
      <Button onClick={start} disabled={running}>
        {running ? "Checking…" : "Run connection check"}
      </Button>
      {error ? (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {check ? (
        <section aria-label="Current check" aria-live="polite" className={cardClass("plain", "mt-4")}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h3 className="font-semibold">Connection check</h3>
            <span className="flex items-center gap-3 text-sm text-slate-600">
              {check.durationMs !== null ? <span>{check.durationMs} ms</span> : null}
              <span data-testid="check-outcome">
                <OutcomeBadge outcome={check.outcome} />
              </span>
            </span>
          </div>
          {check.outcome === "RUNNING" ? (
            <CheckProgressLine startedAt={check.startedAt} currentLabel={check.currentStep ? customerStepLabel(check.currentStep, roleName) : null} waitingUntil={check.waitingUntil} />
          ) : null}
          <CheckSteps steps={check.steps} roleName={roleName} />
        </section>
      ) : null}
    </div>
  );
}
