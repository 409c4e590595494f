import { OutcomeBadge, type Outcome } from "@/components/ui/outcome-badge";
import { stepLabel } from "@/components/onboarding/step-labels";

export type StepView = {
  name: string;
  outcome: Outcome;
  durationMs: number;
  errorCode: string | null;
  vendorFault: boolean;
  customerCause: string | null;
  customerFix: string | null;
  result: unknown;
};

function throttleWaitsOf(result: unknown): number[] {
  const waits = (result as { throttledWaitsSeconds?: unknown } | null)?.throttledWaitsSeconds;
  return Array.isArray(waits) ? waits.filter((w): w is number => typeof w === "number") : [];
}

function accountsOf(result: unknown): string[] | null {
  const accounts = (result as { accounts?: unknown } | null)?.accounts;
  return Array.isArray(accounts) ? accounts.filter((a): a is string => typeof a === "string") : null;
}

export function CheckSteps({ steps, roleName }: { steps: StepView[]; roleName: string }) {
  return (
    <ol className="divide-y divide-slate-100" aria-label="Check steps">
      {steps.map((step) => {
        const accounts = step.name === "sample-read" ? accountsOf(step.result) : null;
        const waits = throttleWaitsOf(step.result);
        return (
          <li key={step.name} className="py-3" data-step={step.name} data-outcome={step.outcome}>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-medium text-slate-900">{stepLabel(step.name, roleName)}</span>
              <span className="flex items-center gap-3 text-xs text-slate-500">
                {step.outcome !== "SKIPPED" ? <span>{step.durationMs} ms</span> : null}
                <OutcomeBadge outcome={step.outcome} />
              </span>
            </div>
            {step.customerCause ? (
              <div className={`mt-2 rounded-md p-3 text-sm ${step.outcome === "FAILED" ? "bg-red-50 text-red-900" : "bg-amber-50 text-amber-900"}`}>
                <p>
                  <strong>Cause:</strong> {step.customerCause}
                </p>
                {step.customerFix ? (
                  <p className="mt-1">
                    <strong>Fix:</strong> {step.customerFix}
                  </p>
                ) : null}
                {/* The vendor's own error codes are for its support staff, not for the customer. */}
                {step.errorCode && !step.vendorFault ? <p className="mt-1 text-xs opacity-80">Code: {step.errorCode}</p> : null}
              </div>
            ) : null}
            {waits.length ? (
              <p className="mt-1 text-xs text-slate-500">
                Dataverse asked to wait (service protection): waited {waits.map((w) => `${w} s`).join(", ")} and retried.
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
