"use client";

import type { ReactNode } from "react";
import { startCheckAction } from "@/app/(onboarding)/onboarding/actions";
import { CheckProgressLine } from "@/components/checks/progress-line";
import { useCheckProgress } from "@/components/checks/use-check-progress";
import { CheckSteps, type StepView } from "@/components/onboarding/check-steps";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { customerStepLabel } from "@/lib/checks/vocabulary";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";

type Props = {
  environmentId: string;
  roleName: string;
  runningCheckId: string | null;
  /** The latest finished check's cause and fix, rendered by the page; replaced by the live check once one is shown. */
  summary?: ReactNode;
  /** Other actions that fix the environment ("Set it up for me"), in the same row as the check's button. */
  actions?: ReactNode;
  variant?: ButtonVariant;
};

/** Starts a check on the server and follows it step by step until it finishes; picks up one already running. */
export function CheckRunner({ environmentId, roleName, runningCheckId, summary, actions, variant = "primary" }: Props) {
  const { check, error, running, start } = useCheckProgress<StepView>(
    () => startCheckAction(environmentId),
    (id) => `/api/checks/${id}`,
    runningCheckId,
  );
  return (
    <div className="space-y-4">
      {/* Once a check runs in this view its own steps tell the cause and fix: the earlier summary would repeat (or contradict) them. */}
      {check ? null : summary}
      <div className="flex flex-wrap items-center gap-3">
        {actions}
        <Button variant={variant} onClick={start} disabled={running}>
          {running ? "Checking…" : "Run connection check"}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {check ? (
        <section aria-label="Current check" aria-live="polite" className={cardClass("plain")}>
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
            <CheckProgressLine
              startedAt={check.startedAt}
              currentLabel={check.currentStep ? customerStepLabel(check.currentStep, roleName) : null}
              waitingUntil={check.waitingUntil}
            />
          ) : null}
          <CheckSteps steps={check.steps} roleName={roleName} />
        </section>
      ) : null}
    </div>
  );
}
