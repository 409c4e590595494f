import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { SubscriptionBadge } from "@/components/subscriptions/subscription-status";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { getSupportSubscription } from "@/lib/data/support/subscriptions";
import {
  activationOverdue,
  OPERATION_OUTCOMES,
  planWords,
  type OperationOutcome,
} from "@/lib/subscriptions/vocabulary";

export const metadata: Metadata = { title: "Subscription" };

const outcomeTone = (outcome: string) =>
  outcome === "accepted" || outcome === "applied" ? "success" : outcome === "rejected" ? "warning" : "neutral";

export default async function SubscriptionPage({ params }: { params: Promise<{ subscriptionId: string }> }) {
  const { subscriptionId } = await params;
  await requireStaff(`/console/subscriptions/${encodeURIComponent(subscriptionId)}`);
  const s = await getSupportSubscription(subscriptionId);
  if (!s) notFound();
  const hours = config().marketplace.activationHours;
  const fact = (label: string, value: ReactNode) => (
    <>
      <dt className="font-medium text-slate-700">{label}</dt>
      <dd className="break-words text-slate-900">{value}</dd>
    </>
  );
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/console/subscriptions" className="text-brand-700 underline">
            Subscriptions
          </Link>
        </p>
        <h1 className="mt-1 text-3xl font-bold break-words text-slate-900">{s.name}</h1>
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <SubscriptionBadge status={s.status} />
          {activationOverdue(s, hours) ? <Badge tone="danger">Not activated after {hours} h</Badge> : null}
        </div>
      </div>
      {s.status === "UNSUBSCRIBED" && s.tenantId && !s.tenant?.disconnectedAt ? (
        <p role="status" className="rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
          Cancelled: the tenant&rsquo;s connection stays until one of its administrators disconnects it.
        </p>
      ) : null}
      <Card title="Facts">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          {fact("Subscription id", <span className="font-mono text-xs break-all">{s.id}</span>)}
          {fact("Offer", `${s.offerId} (publisher ${s.publisherId || "—"})`)}
          {fact("Plan", <span data-testid="subscription-plan">{planWords(s.planId, s.quantity)}</span>)}
          {fact(
            "Tenant",
            s.tenantId ? (
              <Link href={`/console/tenants/${s.tenantId}`} className="text-brand-700 underline">
                {s.tenant?.displayName ?? s.tenant?.primaryDomain ?? s.tenantId}
              </Link>
            ) : (
              <span className="font-mono text-xs break-all">{s.beneficiaryTenantId} (not signed in yet)</span>
            ),
          )}
          {fact("Beneficiary", s.beneficiaryEmail ?? "—")}
          {fact("Purchaser", s.purchaserEmail ?? "—")}
          {fact("Bought (landing)", <LocalTime date={s.resolvedAt} />)}
          {fact(
            "Activated",
            s.activatedAt ? (
              <>
                <LocalTime date={s.activatedAt} />
                {s.activatedByName ? ` by ${s.activatedByName}` : ""}
              </>
            ) : (
              "not yet"
            ),
          )}
          {s.suspendedAt ? fact("Suspended", <LocalTime date={s.suspendedAt} />) : null}
          {s.unsubscribedAt ? fact("Cancelled", <LocalTime date={s.unsubscribedAt} />) : null}
          {fact(
            "Term",
            s.termStartDate && s.termEndDate ? (
              <>
                {s.termUnit ?? ""} <LocalTime date={s.termStartDate} /> – <LocalTime date={s.termEndDate} />
              </>
            ) : (
              (s.termUnit ?? "—")
            ),
          )}
          {fact(
            "Kind",
            [s.isTest ? "test purchase" : null, s.isFreeTrial ? "free trial" : null].filter(Boolean).join(", ") ||
              "paid",
          )}
        </dl>
      </Card>
      <section aria-labelledby="operations-heading" className="space-y-3">
        <h2 id="operations-heading" className="text-lg font-semibold text-slate-900">
          Operation history
        </h2>
        {s.operations.length === 0 ? (
          <EmptyState>Microsoft has notified no operation for this subscription.</EmptyState>
        ) : (
          <TableFrame caption="Operation history">
            <THead>
              <Tr>
                <Th>Received</Th>
                <Th>Action</Th>
                <Th>Outcome</Th>
                <Th>Change</Th>
                <Th>Why</Th>
              </Tr>
            </THead>
            <TBody>
              {s.operations.map((o) => (
                <Tr key={o.id} data-operation-id={o.id}>
                  <Td label="Received" className="sm:whitespace-nowrap">
                    <LocalTime date={o.receivedAt} />
                  </Td>
                  <Td label="Action">
                    {o.action}
                    {o.source ? (
                      <span className="block text-xs text-slate-600">
                        by {o.source === "Partner" ? "the vendor" : "the customer or Microsoft"}
                      </span>
                    ) : null}
                  </Td>
                  <Td label="Outcome">
                    <Badge tone={outcomeTone(o.outcome)} data-testid="operation-outcome">
                      {OPERATION_OUTCOMES[o.outcome as OperationOutcome] ?? o.outcome}
                    </Badge>
                  </Td>
                  <Td label="Change">
                    {o.action === "ChangePlan" || o.action === "ChangeQuantity"
                      ? `${planWords(o.previousPlanId ?? "?", o.previousQuantity)} → ${planWords(o.planId ?? "?", o.quantity)}`
                      : "—"}
                  </Td>
                  <Td label="Why" className="text-slate-700">
                    {o.detail ?? "—"}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </TableFrame>
        )}
      </section>
    </div>
  );
}
