import { cardClass } from "@/components/ui/card";
import { OutcomeBadge, type Outcome } from "@/components/ui/outcome-badge";
import type { StepResult } from "@/lib/checks/step-results";
import { customerStepLabel } from "@/lib/checks/vocabulary";

export type StepView = {
  name: string;
  outcome: Outcome;
  durationMs: number;
  /** Microsoft's code (AADSTS…, 0x…), for the customer's own support case. */
  errorCode: string | null;
  vendorFault: boolean;
  customerCause: string | null;
  customerFix: string | null;
  /** Who can make the fix, in the customer's words (lib/checks/customer-view.ts). */
  whoCanFix?: string | null;
  /** Read with its step's schema; null when it has none (or one an older version wrote in another shape). */
  result: StepResult | null;
};

/** A step's cause, fix, who can make it and Microsoft's code: the one way a diagnosis is shown to a customer. */
export function DiagnosisBox({
  step,
  tone,
  className = "",
}: {
  step: Pick<StepView, "customerCause" | "customerFix" | "whoCanFix" | "errorCode" | "vendorFault">;
  tone: "danger" | "warning";
  className?: string;
}) {
  return (
    <div className={cardClass(tone, `text-sm ${className}`)}>
      <p>
        <strong>Cause:</strong> {step.customerCause}
      </p>
      {step.customerFix ? (
        <p className="mt-1">
          <strong>Fix:</strong> {step.customerFix}
        </p>
      ) : null}
      {step.whoCanFix ? (
        <p className="mt-1">
          <strong>Who can fix it:</strong> {step.whoCanFix}.
        </p>
      ) : null}
      {/* Microsoft's code helps the customer's own support case; the vendor's faults carry none. */}
      {step.errorCode && !step.vendorFault ? (
        <p className="mt-1 text-xs">Microsoft&rsquo;s error code: {step.errorCode}</p>
      ) : null}
    </div>
  );
}

function throttleWaitsOf(result: StepResult | null): number[] {
  return result?.throttledWaitsSeconds ?? [];
}

function accountsOf(result: StepResult | null): string[] | null {
  return result && "accounts" in result ? result.accounts : null;
}

function reasonOf(result: StepResult | null): string | null {
  return result && "reason" in result ? result.reason : null;
}

export function CheckSteps({ steps, roleName }: { steps: StepView[]; roleName: string }) {
  return (
    <ol className="divide-y divide-slate-100" aria-label="Check steps">
      {steps.map((step) => {
        const accounts = step.name === "sample-read" ? accountsOf(step.result) : null;
        const waits = throttleWaitsOf(step.result);
        const reason = step.outcome === "SKIPPED" ? reasonOf(step.result) : null;
        return (
          <li key={step.name} className="py-3 break-words" data-step={step.name} data-outcome={step.outcome}>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="min-w-0 font-medium text-slate-900">{customerStepLabel(step.name, roleName)}</span>
              <span className="flex items-center gap-3 text-xs text-slate-600">
                {step.outcome !== "SKIPPED" ? <span>{step.durationMs} ms</span> : null}
                <OutcomeBadge outcome={step.outcome} />
              </span>
            </div>
            {reason ? <p className="mt-1 text-sm text-slate-600">{reason}</p> : null}
            {step.customerCause ? (
              <DiagnosisBox step={step} tone={step.outcome === "FAILED" ? "danger" : "warning"} className="mt-2" />
            ) : null}
            {waits.length ? (
              <p className="mt-1 text-xs text-slate-600">
                Dataverse asked to wait (service protection): waited {waits.map((w) => `${w} s`).join(", ")} and
                retried.
              </p>
            ) : null}
            {accounts ? (
              <ul className="mt-2 list-disc pl-5 text-sm text-slate-700" aria-label="Sample accounts">
                {accounts.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
