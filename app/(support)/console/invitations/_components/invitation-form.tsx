"use client";

import Link from "next/link";
import { useActionState } from "react";
import { LocalTime } from "@/components/ui/local-time";
import { count } from "@/components/format";
import { Button } from "@/components/ui/button";
import { createInvitationAction, type InvitationFormState } from "@/app/(support)/console/actions";
import type { KnownTenant } from "@/lib/data/support/invitations";
import { CopyField } from "@/components/ui/copy-field";
import { DEFAULT_INVITATION_EXPIRY_DAYS, INVITATION_EXPIRY_DAYS } from "@/lib/data/support/invitation-options";

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function InvitationForm() {
  const [state, action, pending] = useActionState<InvitationFormState, FormData>(createInvitationAction, {});
  const errors = state.fieldErrors ?? {};
  return (
    <div>
      <form action={action} className="grid gap-4 sm:grid-cols-3" noValidate>
        <div>
          <label htmlFor="tenantHint" className="block text-sm font-medium text-slate-700">
            Tenant id or domain <span className="font-normal text-slate-600">(optional)</span>
          </label>
          <input
            id="tenantHint"
            name="tenantHint"
            placeholder="contoso.com"
            defaultValue={state.values?.tenantHint}
            className={field}
            aria-invalid={errors.tenantHint ? true : undefined}
            aria-describedby={errors.tenantHint ? "tenantHint-error" : undefined}
          />
          {errors.tenantHint ? (
            <p id="tenantHint-error" className="mt-1 text-sm text-red-700">
              {errors.tenantHint}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor="expiresInDays" className="block text-sm font-medium text-slate-700">
            Valid for
          </label>
          <select
            id="expiresInDays"
            name="expiresInDays"
            defaultValue={state.values?.expiresInDays || String(DEFAULT_INVITATION_EXPIRY_DAYS)}
            className={field}
          >
            {INVITATION_EXPIRY_DAYS.map((d) => (
              <option key={d} value={String(d)}>
                {count(d, "day")}
              </option>
            ))}
          </select>
          {errors.expiresInDays ? <p className="mt-1 text-sm text-red-700">{errors.expiresInDays}</p> : null}
        </div>
        <div>
          <label htmlFor="note" className="block text-sm font-medium text-slate-700">
            Note for the team <span className="font-normal text-slate-600">(optional)</span>
          </label>
          <input
            id="note"
            name="note"
            maxLength={200}
            defaultValue={state.values?.note}
            className={field}
            placeholder="Ticket or contact"
          />
          {errors.note ? <p className="mt-1 text-sm text-red-700">{errors.note}</p> : null}
        </div>
        <div>
          <label htmlFor="invitationCustomerReference" className="block text-sm font-medium text-slate-700">
            Customer reference <span className="font-normal text-slate-500">(optional)</span>
          </label>
          <input
            id="invitationCustomerReference"
            name="customerReference"
            maxLength={100}
            defaultValue={state.values?.customerReference}
            className={field}
            placeholder="Your subscription or account number"
          />
          {errors.customerReference ? <p className="mt-1 text-sm text-red-700">{errors.customerReference}</p> : null}
        </div>
        <div className="sm:col-span-3">
          <label htmlFor="sendTo" className="block text-sm font-medium text-slate-700">
            Send by e-mail to <span className="font-normal text-slate-500">(optional: the customer administrator)</span>
          </label>
          <input
            id="sendTo"
            name="sendTo"
            type="email"
            maxLength={254}
            className={field}
            placeholder="admin@contoso.com"
            defaultValue={state.values?.sendTo}
            aria-invalid={errors.sendTo ? true : undefined}
          />
          {errors.sendTo ? <p className="mt-1 text-sm text-red-700">{errors.sendTo}</p> : null}
        </div>
        <div className="sm:col-span-3">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create invitation link"}
          </Button>
        </div>
      </form>
      {state.message ? (
        <p role="alert" className="mt-3 text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      {state.created ? (
        <div role="status" className="mt-5 rounded-lg border border-emerald-200 bg-emerald-50 p-4">
          <p className="mb-3 text-sm text-emerald-950">
            Invitation created{state.created.tenantHint ? ` for ${state.created.tenantHint}` : ""}, valid until{" "}
            <LocalTime date={state.created.expiresAt} />.{" "}
            {state.created.sentTo ? `Sent by e-mail to ${state.created.sentTo}. ` : ""}Copy the link now: it is shown
            only once.
          </p>
          <CopyField label="Invitation link" value={state.created.link} />
          {state.created.knownTenant ? (
            <KnownTenantWarning known={state.created.knownTenant} reference={state.created.customerReference} />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The link names an organisation that is already here: which one, where it stands, and what using the link changes. */
function KnownTenantWarning({ known, reference }: { known: KnownTenant; reference: string | null }) {
  const changesReference = reference !== null && reference !== known.customerReference;
  return (
    <div
      className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
      data-testid="known-tenant-warning"
    >
      <p>
        <strong>This organisation is already known:</strong>{" "}
        <Link href={`/console/tenants/${known.id}`} className="font-medium underline">
          {known.name}
        </Link>{" "}
        — {known.stageLabel}
        {known.customerReference ? `, customer reference ${known.customerReference}` : ", no customer reference"}.
      </p>
      <p className="mt-1">
        When someone of it signs in with this link, the link is used up
        {changesReference
          ? known.customerReference
            ? ` and its customer reference changes from ${known.customerReference} to ${reference}.`
            : ` and it is given the customer reference ${reference}.`
          : "; nothing else about the tenant changes."}{" "}
        If you meant another organisation, revoke this link.
      </p>
    </div>
  );
}
