"use client";

import Link from "next/link";
import { useActionState } from "react";
import { registerEnvironmentAction, type EnvironmentFormState } from "@/app/(onboarding)/onboarding/actions";

export function EnvironmentForm() {
  const [state, action, pending] = useActionState<EnvironmentFormState, FormData>(registerEnvironmentAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <div>
        <label htmlFor="url" className="block text-sm font-medium text-slate-800">
          Environment URL
        </label>
        <input
          id="url"
          name="url"
          type="text"
          inputMode="url"
          autoComplete="off"
          placeholder="https://contoso.crm.dynamics.com"
          aria-invalid={state.fieldErrors?.url ? true : undefined}
          aria-describedby={state.fieldErrors?.url ? "url-error" : "url-help"}
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm"
        />
        <p id="url-help" className="mt-1 text-xs text-slate-500">
          Power Platform admin center → Environments → your environment → Environment URL. Any link into the environment works too.
        </p>
        {state.fieldErrors?.url ? (
          <p id="url-error" role="alert" className="mt-1 text-sm text-red-700">
            {state.fieldErrors.url}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor="friendlyName" className="block text-sm font-medium text-slate-800">
          Name (optional)
        </label>
        <input id="friendlyName" name="friendlyName" type="text" maxLength={100} placeholder="Sales (Production)" className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm" />
        {state.fieldErrors?.friendlyName ? (
          <p role="alert" className="mt-1 text-sm text-red-700">
            {state.fieldErrors.friendlyName}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={pending} className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60">
        {pending ? "Checking the environment…" : "Register environment"}
      </button>
      {state.message ? (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
          {state.message}{" "}
          {state.registeredId ? (
            <Link href={`/onboarding/environments/${state.registeredId}`} className="font-semibold underline">
              Set up its application user
            </Link>
          ) : null}
        </p>
      ) : null}
    </form>
  );
}
