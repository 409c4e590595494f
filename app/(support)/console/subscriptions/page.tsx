import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { SubscriptionBadge } from "@/components/subscriptions/subscription-status";
import { count } from "@/components/format";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import {
  listSubscriptions,
  parseSubscriptionFilters,
  SUBSCRIPTION_PAGE_SIZE,
  subscriptionPlans,
} from "@/lib/data/support/subscriptions";
import {
  activationOverdue,
  planWords,
  SUBSCRIPTION_STATUS_LABELS,
  SUBSCRIPTION_STATUSES,
} from "@/lib/subscriptions/vocabulary";

export const metadata: Metadata = { title: "Subscriptions" };

const field = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

// Marketplace SaaS subscriptions (AppSource purchases): who bought which plan, for which tenant, in which status.
export default async function SubscriptionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireStaff("/console/subscriptions");
  const parsed = parseSubscriptionFilters(await searchParams);
  if (!parsed.ok) {
    return (
      <div className="space-y-4">
        <h1 className="text-3xl font-bold text-slate-900">Subscriptions</h1>
        <p role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          These filters are not valid: {parsed.errors.join("; ")}.{" "}
          <Link href="/console/subscriptions" className="underline">
            Show every subscription
          </Link>
          .
        </p>
      </div>
    );
  }
  const filters = parsed.filters;
  const [{ rows, total }, plans] = await Promise.all([listSubscriptions(filters), subscriptionPlans()]);
  const hours = config().marketplace.activationHours;
  const page = filters.page ?? 1;
  const pages = Math.max(1, Math.ceil(total / SUBSCRIPTION_PAGE_SIZE));
  const query = (p: number) =>
    new URLSearchParams({
      ...(filters.status ? { status: filters.status } : {}),
      ...(filters.plan ? { plan: filters.plan } : {}),
      page: String(p),
    }).toString();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Subscriptions</h1>
        <p className="mt-2 text-slate-600">
          SaaS subscriptions bought in Microsoft&rsquo;s commercial marketplace, kept in step by its webhook.{" "}
          {count(total, "subscription")}
          {filters.status || filters.plan ? " match the filters" : ""}.
        </p>
      </div>
      <form
        method="get"
        action="/console/subscriptions"
        role="search"
        aria-label="Filter subscriptions"
        className="grid gap-4 rounded-xl border border-slate-200 bg-white p-5 sm:grid-cols-3"
      >
        <label className="text-sm font-medium text-slate-700">
          Status
          <select name="status" defaultValue={filters.status ?? ""} className={field}>
            <option value="">Any status</option>
            {SUBSCRIPTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SUBSCRIPTION_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          Plan
          <select name="plan" defaultValue={filters.plan ?? ""} className={field}>
            <option value="">Any plan</option>
            {plans.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <div className="flex items-end gap-3">
          <Button type="submit">Filter</Button>
          <Link href="/console/subscriptions" className="text-sm text-brand-700 underline">
            Clear
          </Link>
        </div>
      </form>
      {rows.length === 0 ? (
        <EmptyState>No subscription{filters.status || filters.plan ? " matches these filters" : " yet"}.</EmptyState>
      ) : (
        <TableFrame caption="Subscriptions">
          <THead>
            <Tr>
              <Th>Subscription</Th>
              <Th>Tenant</Th>
              <Th>Plan</Th>
              <Th>Status</Th>
              <Th>Bought</Th>
            </Tr>
          </THead>
          <TBody>
            {rows.map((s) => (
              <Tr key={s.id} data-subscription-id={s.id}>
                <Td label="Subscription">
                  <Link
                    href={`/console/subscriptions/${s.id}`}
                    className="font-medium break-words text-brand-700 underline"
                  >
                    {s.name}
                  </Link>
                  <span className="block font-mono text-xs break-all text-slate-600">{s.id}</span>
                </Td>
                <Td label="Tenant">
                  {s.tenantId ? (
                    <Link href={`/console/tenants/${s.tenantId}`} className="break-words text-brand-700 underline">
                      {s.tenant?.displayName ?? s.tenant?.primaryDomain ?? s.tenantId}
                    </Link>
                  ) : (
                    <span className="font-mono text-xs break-all text-slate-700">{s.beneficiaryTenantId}</span>
                  )}
                  {s.beneficiaryEmail ? (
                    <span className="block text-xs break-all text-slate-600">{s.beneficiaryEmail}</span>
                  ) : null}
                </Td>
                <Td label="Plan">{planWords(s.planId, s.quantity)}</Td>
                <Td label="Status">
                  <SubscriptionBadge status={s.status} />
                  {activationOverdue(s, hours) ? (
                    <Badge tone="danger" className="mt-1" data-testid="activation-overdue">
                      Not activated after {hours} h
                    </Badge>
                  ) : null}
                  {s.isTest ? <span className="mt-1 block text-xs text-slate-600">test purchase</span> : null}
                </Td>
                <Td label="Bought" className="sm:whitespace-nowrap">
                  <LocalTime date={s.resolvedAt} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </TableFrame>
      )}
      {pages > 1 ? (
        <nav aria-label="Pages" className="flex items-center gap-4 text-sm">
          {page > 1 ? (
            <Link href={`/console/subscriptions?${query(page - 1)}`} className="text-brand-700 underline">
              Previous
            </Link>
          ) : null}
          <span className="text-slate-600">
            Page {page} of {pages}
          </span>
          {page < pages ? (
            <Link href={`/console/subscriptions?${query(page + 1)}`} className="text-brand-700 underline">
              Next
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
