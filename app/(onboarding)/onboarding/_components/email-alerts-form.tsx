"use client";

import { useActionState } from "react";
import { setEmailAlertsAction, type EmailAlertsState } from "@/app/(onboarding)/onboarding/actions";

/** Opt in or out of the e-mails sent when a connection breaks or recovers. */
export function EmailAlertsForm({ on, canChange }: { on: boolean; canChange: boolean }) {
  const [state, action, pending] = useActionState<EmailAlertsState, FormData>(setEmailAlertsAction, {});
  const current = state.saved ? state.saved === "on" : on;
  return (
    <form action={action} className="flex flex-wrap items-center gap-3 text-sm" aria-label="E-mail alerts">
      <span data-testid="email-alerts-state">{current ? "E-mail alerts are on: the administrators who connected this organisation are told when a connection breaks or recovers." : "E-mail alerts are off."}</span>
      {canChange ? (
        <button type="submit" name="alerts" value={current ? "off" : "on"} disabled={pending} className="rounded-md border border-slate-300 px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60">
          {current ? "Turn e-mail alerts off" : "Turn e-mail alerts on"}
        </button>
      ) : null}
      {state.error ? (
        <p role="alert" className="text-red-700">
          {state.error}
        </p>
      ) : null}
    </form>
  );
}
