"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { Outcome } from "@/components/ui/outcome-badge";

export type CheckProgress<Step> = { id: string; outcome: Outcome; durationMs: number | null; steps: Step[] };

/**
 * Starts a connection check with a server action and follows it step by step (polling `progressPath(id)`)
 * until it finishes, then refreshes the page so its history shows the result. Shared by the customer's
 * check runner and the support console's re-run.
 */
export function useCheckProgress<Step>(startAction: () => Promise<{ checkId?: string; error?: string }>, progressPath: (checkId: string) => string) {
  const router = useRouter();
  const [checkId, setCheckId] = useState<string | null>(null);
  const [check, setCheck] = useState<CheckProgress<Step> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, startTransition] = useTransition();

  useEffect(() => {
    if (!checkId) return;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(progressPath(checkId), { cache: "no-store" });
      if (stopped) return;
      if (!response.ok) {
        setError(`The check's progress could not be loaded (HTTP ${response.status}). Reload the page to see its result.`);
        return;
      }
      const next = (await response.json()) as CheckProgress<Step>;
      setCheck(next);
      if (next.outcome === "RUNNING") setTimeout(() => void poll(), 400);
      else router.refresh();
    };
    void poll();
    return () => {
      stopped = true;
    };
    // progressPath is a pure function of checkId; following a new check is what this effect is for.
  }, [checkId, router]);

  const start = () =>
    startTransition(async () => {
      setError(null);
      setCheck(null);
      setCheckId(null);
      const result = await startAction();
      if (result.error) setError(result.error);
      else if (result.checkId) setCheckId(result.checkId);
    });

  const running = starting || check?.outcome === "RUNNING" || (checkId !== null && check === null && !error);
  return { check, error, running, start };
}
