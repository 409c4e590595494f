"use client";

import { useActionState } from "react";
import { setCustomerReferenceAction, type CustomerReferenceState } from "@/app/(support)/console/actions";

/** The ISV's customer reference on a tenant: shown to every staff member, editable by support admins. */
export function CustomerReferenceForm({
  tenantId,
  reference,
  canEdit,
}: {
  tenantId: string;
  reference: string | null;
  canEdit: boolean;
}) {
  const [state, action, pending] = useActionState<CustomerReferenceState, FormData>(setCustomerReferenceAction, {});
  const current = state.saved !== undefined ? state.saved : reference;
  const error = state.fieldErrors?.customerReference ?? state.fieldErrors?.tenantId;
  if (!canEdit) {
    return <span data-testid="customer-reference">{current ?? "—"}</span>;
  }
  return (
    <form action={action} className="flex flex-wrap items-start gap-2" noValidate>
      <input type="hidden" name="tenantId" value={tenantId} />
      <label htmlFor="customerReference" className="sr-only">
        Customer reference
      </label>
      <input
        id="customerReference"
        name="customerReference"
        defaultValue={state.values?.customerReference ?? current ?? ""}
        maxLength={100}
        placeholder="e.g. SUB-1042"
        className="w-44 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "customerReference-error" : undefined}
      />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-brand-600 px-3 py-1 text-sm font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? "Saving…" : "Save reference"}
      </button>
      {error ? (
        <p id="customerReference-error" role="alert" className="w-full text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {state.saved !== undefined && !error ? (
        <p role="status" className="w-full text-xs text-emerald-800">
          {state.saved === null ? "Reference removed." : "Reference saved."}
        </p>
      ) : null}
    </form>
  );
}
