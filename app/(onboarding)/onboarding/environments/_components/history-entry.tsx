"use client";

import { useState, type ReactNode, type SyntheticEvent } from "react";
import { CheckSteps, type StepView } from "@/components/onboarding/check-steps";

type Steps =
  | { state: "closed" }
  | { state: "loading" }
  | { state: "loaded"; steps: StepView[] }
  | { state: "failed"; error: string };

/**
 * One check of an environment's history, folded: its line (rendered by the page) and, once opened, its steps, read
 * then from /api/checks/<id> (the same customer-scoped answer the check runner follows). The page lists twenty
 * checks; sending every check's steps with it made it three times the size and rendering time of its neighbours
 * (issue 25), for steps that are seldom opened. A failed read says so and is tried again on the next opening.
 */
export function HistoryEntry({
  checkId,
  roleName,
  children,
}: {
  checkId: string;
  roleName: string;
  children: ReactNode;
}) {
  const [steps, setSteps] = useState<Steps>({ state: "closed" });

  const onToggle = async (event: SyntheticEvent<HTMLDetailsElement>) => {
    if (!event.currentTarget.open || steps.state === "loading" || steps.state === "loaded") return;
    setSteps({ state: "loading" });
    try {
      const response = await fetch(`/api/checks/${encodeURIComponent(checkId)}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const check = (await response.json()) as { steps: StepView[] };
      setSteps({ state: "loaded", steps: check.steps });
    } catch (error) {
      setSteps({
        state: "failed",
        error: `Its steps could not be loaded (${error instanceof Error ? error.message : "no answer"}). Close it and open it again to retry.`,
      });
    }
  };

  return (
    <details onToggle={onToggle}>
      <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">{children}</summary>
      {steps.state === "loaded" ? (
        steps.steps.length ? (
          <CheckSteps steps={steps.steps} roleName={roleName} />
        ) : (
          <p className="py-3 text-sm text-slate-600">This check recorded no steps.</p>
        )
      ) : steps.state === "failed" ? (
        <p role="alert" className="py-3 text-sm text-red-700">
          {steps.error}
        </p>
      ) : (
        <p role="status" className="py-3 text-sm text-slate-600">
          Loading its steps…
        </p>
      )}
    </details>
  );
}
