// The marketplace subscription, shown the same way to the customer and to staff: its status badge, and for the
// customer the card beside the connection with what a suspension or a cancellation means and what to do.
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { LinkButton } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { planWords, SUBSCRIPTION_STATUS_LABELS, type SubscriptionStatusWord } from "@/lib/subscriptions/vocabulary";

const TONES: Record<SubscriptionStatusWord, BadgeTone> = {
  PENDING: "info",
  SUBSCRIBED: "success",
  SUSPENDED: "warning",
  UNSUBSCRIBED: "danger",
};

export function SubscriptionBadge({ status }: { status: SubscriptionStatusWord }) {
  return (
    <Badge tone={TONES[status]} data-testid="subscription-status">
      {SUBSCRIPTION_STATUS_LABELS[status]}
    </Badge>
  );
}

export type CustomerSubscription = {
  name: string;
  offerId: string;
  planId: string;
  quantity: number | null;
  status: SubscriptionStatusWord;
  activatedAt: Date | null;
  suspendedAt: Date | null;
  unsubscribedAt: Date | null;
};

export function CustomerSubscriptionCard({
  subscription: s,
  appName,
  activateHref,
}: {
  subscription: CustomerSubscription;
  appName: string;
  activateHref: string | null;
}) {
  const tone = s.status === "SUSPENDED" ? "warning" : s.status === "UNSUBSCRIBED" ? "danger" : "plain";
  return (
    <section aria-labelledby="subscription-heading" className={cardClass(tone)} data-testid="subscription">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="subscription-heading" className="font-semibold">
          Your subscription
        </h2>
        <SubscriptionBadge status={s.status} />
      </div>
      <p className="mt-1 text-sm text-slate-700">
        {s.name}: plan <strong data-testid="subscription-plan">{planWords(s.planId, s.quantity)}</strong>
        {s.activatedAt && s.status === "SUBSCRIBED" ? (
          <>
            , active since <LocalTime date={s.activatedAt} />
          </>
        ) : null}
        .
      </p>
      {s.status === "PENDING" ? (
        <div className="mt-3 space-y-3 text-sm text-slate-700">
          <p>Bought in the Microsoft commercial marketplace, not activated yet: billing starts when it is activated.</p>
          {activateHref ? <LinkButton href={activateHref}>Activate the subscription</LinkButton> : null}
        </div>
      ) : null}
      {s.status === "SUSPENDED" ? (
        <div role="alert" className="mt-3 space-y-2 text-sm text-amber-950">
          <p>
            <strong>
              Suspended
              {s.suspendedAt ? (
                <>
                  {" "}
                  since <LocalTime date={s.suspendedAt} />
                </>
              ) : null}
              .
            </strong>{" "}
            Microsoft suspended this subscription, usually because a payment failed or it could not renew.
          </p>
          <p>
            What to do: open the subscription in the Azure portal or the Microsoft 365 admin center and update its
            payment method. When Microsoft reinstates it, this page shows it active again. A subscription that stays
            suspended for 30 days is cancelled by Microsoft.
          </p>
        </div>
      ) : null}
      {s.status === "UNSUBSCRIBED" ? (
        <div role="alert" className="mt-3 space-y-2 text-sm text-red-950">
          <p>
            <strong>
              Cancelled
              {s.unsubscribedAt ? (
                <>
                  {" "}
                  on <LocalTime date={s.unsubscribedAt} />
                </>
              ) : null}
              .
            </strong>{" "}
            The subscription can no longer be used or reactivated.
          </p>
          <p>
            Your connection stays in place until an administrator disconnects it (Disconnect). To keep using {appName},
            buy it again from its listing on AppSource.
          </p>
        </div>
      ) : null}
    </section>
  );
}
