"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { startCheckAction } from "@/app/(onboarding)/onboarding/actions";
import { CheckSteps, type StepView } from "@/components/onboarding/check-steps";
import { OutcomeBadge, type Outcome } from "@/components/ui/outcome-badge";

type CheckView = { id: string; outcome: Outcome; durationMs: number | null; steps: StepView[] };

/** Starts a check on the server and follows it step by step until it finishes. */
export function CheckRunner({ environmentId, roleName }: { environmentId: string; roleName: string }) {
  const router = useRouter();
  const [checkId, setCheckId] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, startTransition] = useTransition();

  useEffect(() => {
    if (!checkId) return;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(`/api/checks/${checkId}`, { cache: "no-store" });
      if (stopped) return;
      if (!response.ok) {
        setError("The check's progress could not be loaded. Reload the page to see its result.");
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
      const result = await startCheckAction(environmentId);
      if (result.error) setError(result.error);
      else if (result.checkId) setCheckId(result.checkId);
    });

  const running = starting || check?.outcome === "RUNNING" || (checkId !== null && check === null && !error);
  return (
    <div>
      <button type="button" onClick={start} disabled={running} className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
        {running ? "Checking…" : "Run connection check"}
      </button>
      {error ? (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {check ? (
        <section aria-label="Current check" aria-live="polite" className="mt-4 rounded-lg border border-slate-200 p-4">
          <div className="flex items-center justify-between">
            <h3 className="font-semibold">Connection check</h3>
            <span className="flex items-center gap-3 text-sm text-slate-500">
              {check.durationMs !== null ? <span>{check.durationMs} ms</span> : null}
              <span data-testid="check-outcome">
                <OutcomeBadge outcome={check.outcome} />
              </span>
            </span>
          </div>
          <CheckSteps steps={check.steps} roleName={roleName} />
        </section>
      ) : null}
    </div>
  );
}
