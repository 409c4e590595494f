"use client";

import { useEffect, useState } from "react";

/**
 * While a check runs: what it is doing now and for how long, and a visible countdown while it waits because
 * Dataverse asked it to (Retry-After), so a person can tell a slow check from a stuck one.
 */
export function CheckProgressLine({
  startedAt,
  currentLabel,
  waitingUntil,
}: {
  startedAt: string;
  currentLabel: string | null;
  waitingUntil: string | null;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const elapsed = Math.max(0, (now - new Date(startedAt).getTime()) / 1000);
  const waitLeft = waitingUntil ? Math.max(0, Math.ceil((new Date(waitingUntil).getTime() - now) / 1000)) : 0;
  return (
    <p className="mt-2 flex flex-wrap items-center gap-x-3 text-sm text-slate-700" data-testid="check-progress">
      <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-sky-500" aria-hidden="true" />
      <span>
        Now: <strong data-testid="check-current-step">{currentLabel ?? "finishing"}</strong>
      </span>
      <span className="text-slate-600" data-testid="check-elapsed">
        {elapsed.toFixed(1)} s elapsed
      </span>
      {waitLeft > 0 ? (
        <span className="text-amber-800" data-testid="check-waiting">
          Dataverse asked to wait (service protection): retrying in {waitLeft} s
        </span>
      ) : null}
    </p>
  );
}
