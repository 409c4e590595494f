"use client";

import { useActionState } from "react";
import {
  setEmailAlertsAction,
  setOwnAlertSubscriptionAction,
  type AlertSubscriptionState,
  type EmailAlertsState,
} from "@/app/(onboarding)/onboarding/actions";
import { Button } from "@/components/ui/button";

/** E-mail alerts on or off for the whole organisation (the vendor's support address is told either way). */
export function EmailAlertsForm({
  on,
  canChange,
  vendorName,
}: {
  on: boolean;
  canChange: boolean;
  vendorName: string;
}) {
  const [state, action, pending] = useActionState<EmailAlertsState, FormData>(setEmailAlertsAction, {});
  const current = state.saved ? state.saved === "on" : on;
  return (
    <form
      action={action}
      className="flex flex-wrap items-center gap-3 text-sm"
      aria-label="E-mail alerts for the organisation"
    >
      <span data-testid="email-alerts-state">
        {current
          ? "E-mail alerts are on."
          : `E-mail alerts are off: nobody of your organisation is e-mailed (${vendorName} support still is).`}
      </span>
      {canChange ? (
        <Button
          type="submit"
          name="alerts"
          value={current ? "off" : "on"}
          disabled={pending}
          variant="secondary"
          size="sm"
        >
          {current ? "Turn e-mail alerts off" : "Turn e-mail alerts on"}
        </Button>
      ) : null}
      {state.fieldErrors?.alerts ? (
        <p role="alert" className="text-red-700">
          {state.fieldErrors.alerts}
        </p>
      ) : null}
    </form>
  );
}

/** The signed-in administrator adds or removes themselves from the people e-mailed. */
export function AlertSelfForm({ onList }: { onList: boolean }) {
  const [state, action, pending] = useActionState<AlertSubscriptionState, FormData>(setOwnAlertSubscriptionAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-3 text-sm" aria-label="Your alert e-mails">
      <Button
        type="submit"
        name="me"
        value={onList ? "remove" : "add"}
        disabled={pending}
        variant={onList ? "secondary" : "primary"}
        size="sm"
      >
        {onList ? "Remove me" : "Add me"}
      </Button>
      {state.saved ? (
        <p role="status" className="text-slate-700">
          {state.saved === "added"
            ? `Added: alerts will be e-mailed to ${state.address}.`
            : `Removed: ${state.address} gets no more alert e-mails.`}
        </p>
      ) : null}
      {state.fieldErrors?.me ? (
        <p role="alert" className="text-red-700">
          {state.fieldErrors.me}
        </p>
      ) : null}
    </form>
  );
}
