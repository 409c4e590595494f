"use client";

import Link from "next/link";
import { useActionState } from "react";
import { registerEnvironmentAction, type EnvironmentFormState } from "@/app/(onboarding)/onboarding/actions";
import { Button } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";

const field =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-invalid:border-red-600";

// The forms convention (docs/architecture.md): after a refusal each field keeps what was typed (React resets
// the form after its action, to the defaultValue the returned state gives) and its error is rendered next to
// it and tied to it (aria-describedby). After a success the action revalidates the page, so the list above
// shows the new environment beside the message, and the fields are empty for the next one.
export function EnvironmentForm({ primary = true }: { primary?: boolean }) {
  const [state, action, pending] = useActionState<EnvironmentFormState, FormData>(registerEnvironmentAction, {});
  const errors = state.fieldErrors ?? {};
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
          spellCheck={false}
          placeholder="https://contoso.crm.dynamics.com"
          defaultValue={state.values?.url}
          aria-invalid={errors.url ? true : undefined}
          aria-describedby={errors.url ? "url-error url-help" : "url-help"}
          className={`${field} font-mono`}
        />
        {errors.url ? (
          <p id="url-error" role="alert" className="mt-1 text-sm break-words text-red-700">
            {errors.url}
          </p>
        ) : null}
        <p id="url-help" className="mt-1 text-xs text-slate-600">
          Power Platform admin center → Environments → your environment → Environment URL. Any link into the environment
          works too.
        </p>
      </div>
      <div>
        <label htmlFor="friendlyName" className="block text-sm font-medium text-slate-800">
          Name <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <input
          id="friendlyName"
          name="friendlyName"
          type="text"
          maxLength={100}
          placeholder="Sales (Production)"
          defaultValue={state.values?.friendlyName}
          aria-invalid={errors.friendlyName ? true : undefined}
          aria-describedby={errors.friendlyName ? "friendlyName-error" : undefined}
          className={field}
        />
        {errors.friendlyName ? (
          <p id="friendlyName-error" role="alert" className="mt-1 text-sm text-red-700">
            {errors.friendlyName}
          </p>
        ) : null}
      </div>
      <Button type="submit" variant={primary ? "primary" : "secondary"} disabled={pending}>
        {pending ? "Checking the environment…" : "Register environment"}
      </Button>
      {state.message ? (
        <p role="status" className={cardClass("success", "text-sm break-words")}>
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
