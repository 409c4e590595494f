import { age } from "@/components/format";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import type { getSupportTenant } from "@/lib/data/support/tenants";
import { RerunCheck } from "./rerun-check";

type Environments = NonNullable<Awaited<ReturnType<typeof getSupportTenant>>>["environments"];

/** Each environment by its name, its latest check, and the staff's re-run. */
export function EnvironmentList({
  tenantId,
  environments,
  now,
}: {
  tenantId: string;
  environments: Environments;
  now: Date;
}) {
  return (
    <ul className="divide-y divide-slate-100" aria-label="Environments">
      {environments.map((e) => (
        <li key={e.id} className="py-4" data-environment-id={e.id}>
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div className="min-w-0">
              <p className="font-medium text-slate-900">{e.friendlyName ?? e.url.replace(/^https:\/\//, "")}</p>
              <p className="mt-0.5 font-mono text-xs break-all text-slate-600">{e.url}</p>
              <p className="mt-1 text-xs text-slate-600">
                {e.cloud} cloud · registered <LocalTime date={e.createdAt} />
                {e.registeredByName ? ` by ${e.registeredByName}` : ""}
              </p>
              <p className="mt-2 flex flex-wrap items-center gap-2 text-sm">
                <OutcomeBadge outcome={e.latestCheckOutcome} />
                <span className="text-slate-600">
                  {e.latestCheckAt ? `checked ${age(e.latestCheckAt, now)}` : "never checked"}
                  {e.latestCheckOutcome === "FAILED" && e.latestFailingStep
                    ? ` · failing at “${staffStepLabel(e.latestFailingStep)}”`
                    : ""}
                </span>
              </p>
            </div>
            <div className="w-full max-w-xl">
              <RerunCheck tenantId={tenantId} environmentId={e.id} environmentUrl={e.url} />
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}
