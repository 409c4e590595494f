"use client";

import { useActionState } from "react";
import { disconnectAction, type DisconnectState } from "@/app/(onboarding)/onboarding/actions";

export function DisconnectForm({ confirmText }: { confirmText: string }) {
  const [state, action, pending] = useActionState<DisconnectState, FormData>(disconnectAction, {});
  return (
    <form action={action} className="space-y-3">
      <label htmlFor="confirm" className="block text-sm font-medium text-slate-800">
        Type <code className="font-mono">{confirmText}</code> to confirm
      </label>
      <input id="confirm" name="confirm" autoComplete="off" className="w-full max-w-md rounded-md border border-slate-300 px-3 py-2 font-mono text-sm" />
      {state.error ? (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      ) : null}
      <button type="submit" disabled={pending} className="rounded-md bg-red-700 px-4 py-2.5 text-sm font-semibold text-white hover:bg-red-800 disabled:opacity-60">
        Disconnect my organisation
      </button>
    </form>
  );
}
