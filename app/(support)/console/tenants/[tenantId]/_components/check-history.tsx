import { SupportCheckSteps } from "@/components/support/check-steps";
import { count } from "@/components/format";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import type { supportCheckHistory } from "@/lib/data/support/tenants";

type Checks = Awaited<ReturnType<typeof supportCheckHistory>>;

/** The newest checks, the latest open, each with the vendor-side detail of every step. */
export function CheckHistory({ checks }: { checks: Checks }) {
  return (
    <ol className="divide-y divide-slate-100" aria-label="Check history">
      {checks.map((check, i) => (
        <li key={check.id} className="py-2" data-check-id={check.id}>
          <details open={i === 0}>
            <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 text-sm">
              <OutcomeBadge outcome={check.outcome} />
              <LocalTime date={check.startedAt} />
              <span className="font-medium text-slate-800">
                {check.environment.friendlyName ?? check.environment.url.replace(/^https:\/\//, "")}
              </span>
              <span className="text-slate-600">
                {check.trigger.toLowerCase()}
                {check.triggeredByName ? ` by ${check.triggeredByName}` : ""}
                {check.durationMs !== null ? ` · ${check.durationMs} ms` : ""}
                {` · ${count(check.entraRequests, "Entra request")}, ${count(check.dataverseRequests, "Dataverse request")}`}
                {check.failingStep ? ` · failed at “${staffStepLabel(check.failingStep)}”` : ""}
              </span>
            </summary>
            <p className="mt-1 text-xs text-slate-600">
              Check id <code>{check.id}</code>
            </p>
            <SupportCheckSteps steps={check.steps} />
          </details>
        </li>
      ))}
    </ol>
  );
}
