"use client";

import { useActionState } from "react";
import { disconnectAction, type DisconnectState } from "@/app/(onboarding)/onboarding/actions";
import { Button } from "@/components/ui/button";

// The confirmation is typing the organisation's domain; after a refusal the field keeps what was typed
// (React resets a form after its action, to the defaultValue the action's state gives back) and the error is
// tied to the field (aria-describedby), so it is read with it.
export function DisconnectForm({ confirmText }: { confirmText: string }) {
  const [state, action, pending] = useActionState<DisconnectState, FormData>(disconnectAction, {});
  const error = state.fieldErrors?.confirm;
  return (
    <form action={action} className="space-y-3">
      <label htmlFor="confirm" className="block text-sm font-medium text-slate-800">
        Type <code className="font-mono break-all">{confirmText}</code> to confirm
      </label>
      <input
        id="confirm"
        name="confirm"
        autoComplete="off"
        defaultValue={state.values?.confirm ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "confirm-error" : undefined}
        className="w-full max-w-md rounded-md border border-slate-300 px-3 py-2 font-mono text-sm aria-invalid:border-red-600"
      />
      {error ? (
        <p id="confirm-error" role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <Button type="submit" variant="danger" disabled={pending}>
        Disconnect my organisation
      </Button>
    </form>
  );
}
