"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { rerunCheckAction } from "@/app/(support)/console/actions";
import { SupportCheckSteps, type SupportStepView } from "@/components/support/check-steps";
import { OutcomeBadge, type Outcome } from "@/components/ui/outcome-badge";

type CheckView = { id: string; outcome: Outcome; durationMs: number | null; steps: SupportStepView[] };

/** "Re-run check now" for one environment: starts a check on the server and follows it to the end. */
export function RerunCheck({ tenantId, environmentId, environmentUrl }: { tenantId: string; environmentId: string; environmentUrl: string }) {
  const router = useRouter();
  const [checkId, setCheckId] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, startTransition] = useTransition();

  useEffect(() => {
    if (!checkId) return;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(`/console/api/checks/${checkId}`, { cache: "no-store" });
      if (stopped) return;
      if (!response.ok) {
        setError(`The check's progress could not be loaded (HTTP ${response.status}). Reload the page to see its result.`);
        return;
      }
      const next = (await response.json()) as CheckView;
      setCheck(next);
      if (next.outcome === "RUNNING") setTimeout(() => void poll(), 400);
      else router.refresh();
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [checkId, router]);

  const start = () =>
    startTransition(async () => {
      setError(null);
      setCheck(null);
      setCheckId(null);
      const result = await rerunCheckAction(tenantId, environmentId);
      if (result.error) setError(result.error);
      else if (result.checkId) setCheckId(result.checkId);
    });

  const running = starting || check?.outcome === "RUNNING" || (checkId !== null && check === null && !error);
  return (
    <div>
      <button
        type="button"
        onClick={start}
        disabled={running}
        aria-label={`Re-run check now for ${environmentUrl}`}
        className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {running ? "Checking…" : "Re-run check now"}
      </button>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {check ? (
        <section aria-label={`Re-run of ${environmentUrl}`} aria-live="polite" className="mt-3 rounded-lg border border-slate-200 p-3">
          <div className="flex items-center justify-between text-sm">
            <span className="font-semibold">Check started just now</span>
            <span className="flex items-center gap-3 text-slate-500">
              {check.durationMs !== null ? <span>{check.durationMs} ms</span> : null}
              <span data-testid="rerun-outcome">
                <OutcomeBadge outcome={check.outcome} />
              </span>
            </span>
          </div>
          <SupportCheckSteps steps={check.steps} />
        </section>
      ) : null}
    </div>
  );
}
