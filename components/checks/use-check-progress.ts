"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import type { Outcome } from "@/components/ui/outcome-badge";

export type CheckProgress<Step> = {
  id: string;
  outcome: Outcome;
  startedAt: string;
  durationMs: number | null;
  /** While running: the step being worked on, and until when the check waits (Dataverse's Retry-After). */
  currentStep: string | null;
  waitingUntil: string | null;
  steps: Step[];
};

/**
 * Starts a connection check with a server action and follows it step by step (polling `progressPath(id)`)
 * until it finishes, then refreshes the page so its history shows the result. `runningCheckId` picks up a
 * check already in progress (the page was reloaded mid-check). Shared by the customer's check runner and
 * the support console's re-run.
 */
export function useCheckProgress<Step>(
  startAction: () => Promise<{ checkId?: string; error?: string }>,
  progressPath: (checkId: string) => string,
  runningCheckId: string | null = null,
) {
  const router = useRouter();
  const [checkId, setCheckId] = useState<string | null>(runningCheckId);
  const [check, setCheck] = useState<CheckProgress<Step> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, startTransition] = useTransition();

  useEffect(() => {
    if (!checkId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let response: Response;
      try {
        response = await fetch(progressPath(checkId), { cache: "no-store" });
      } catch {
        if (!stopped) timer = setTimeout(() => void poll(), 2000);
        return;
      }
      if (stopped) return;
      if (!response.ok) {
        setError(
          `The check's progress could not be loaded (HTTP ${response.status}). Reload the page to see its result.`,
        );
        return;
      }
      const next = (await response.json()) as CheckProgress<Step>;
      setCheck(next);
      if (next.outcome === "RUNNING") timer = setTimeout(() => void poll(), 400);
      else router.refresh();
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
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
