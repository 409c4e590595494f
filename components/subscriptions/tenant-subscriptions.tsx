// A tenant's marketplace subscriptions on the console's tenant page, with the mark of a cancelled one whose
// connection is still in place (it stays until one of the tenant's administrators disconnects).
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { SubscriptionBadge } from "@/components/subscriptions/subscription-status";
import { currentSubscriptionOf, planWords, type SubscriptionStatusWord } from "@/lib/subscriptions/vocabulary";

type Row = {
  id: string;
  name: string;
  planId: string;
  quantity: number | null;
  status: SubscriptionStatusWord;
  resolvedAt: Date;
  activatedAt: Date | null;
  unsubscribedAt: Date | null;
};

export function TenantSubscriptions({ subscriptions, disconnected }: { subscriptions: Row[]; disconnected: boolean }) {
  const current = currentSubscriptionOf(subscriptions);
  return (
    <Card title="Marketplace subscription" id="subscription">
      {current?.status === "UNSUBSCRIBED" && !disconnected ? (
        <p
          role="status"
          className="mb-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-950"
          data-testid="tenant-unsubscribed"
        >
          Unsubscribed
          {current.unsubscribedAt ? (
            <>
              {" "}
              on <LocalTime date={current.unsubscribedAt} />
            </>
          ) : null}
          : the connection stays until an administrator of the organisation disconnects it.
        </p>
      ) : null}
      <ul className="divide-y divide-slate-100">
        {subscriptions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-2 text-sm">
            <span className="min-w-0">
              <Link
                href={`/console/subscriptions/${s.id}`}
                className="font-medium break-words text-brand-700 underline"
              >
                {s.name}
              </Link>
              <span className="block text-slate-700">
                {planWords(s.planId, s.quantity)} · bought <LocalTime date={s.resolvedAt} />
              </span>
            </span>
            <SubscriptionBadge status={s.status} />
          </li>
        ))}
      </ul>
    </Card>
  );
}
