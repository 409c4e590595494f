// The landing page's purchase (README "Selling on AppSource"): what was bought, for whom, and the one way on — sign
// in with an account of the beneficiary's organisation, after which the subscription is activated. Microsoft asks the
// landing page to show the offer, the plan and the buyer, and to confirm them before activating (docs/protocol/
// marketplace.md M-71). A server component; the sign-in button is the shared one.
import { SignInButton } from "@/app/(public)/_components/sign-in-button";
import { LinkButton } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { SubscriptionBadge } from "@/components/subscriptions/subscription-status";
import type { PurchaseView } from "@/lib/subscriptions/purchase";
import { planWords } from "@/lib/subscriptions/vocabulary";

export type PurchaseProblem = "other-organisation" | "activation-failed" | "cancelled";

const domainOf = (email: string | null) => {
  const domain = email?.split("@")[1]?.toLowerCase();
  return domain && /^[a-z0-9.-]{3,253}$/.test(domain) ? domain : null;
};

export function PurchasePanel({
  purchase: p,
  problem,
  appName,
  signedIn,
  canSignIn,
}: {
  purchase: PurchaseView;
  problem: PurchaseProblem | null;
  appName: string;
  /** Who is signed in now, if anyone, and whether they are of the beneficiary's organisation. */
  signedIn: { name: string; beneficiary: boolean } | null;
  canSignIn: boolean;
}) {
  const activate = `/consent/activate?purchase=${encodeURIComponent(p.reference)}`;
  const who = p.beneficiaryEmail ?? "the person it was bought for";
  return (
    <section aria-labelledby="purchase-heading" className={cardClass("info", "mt-8")} data-testid="purchase">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="purchase-heading" className="text-lg font-semibold text-slate-900">
          Your purchase
        </h2>
        <SubscriptionBadge status={p.status} />
      </div>
      <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="font-medium text-slate-700">Subscription</dt>
        <dd className="break-words text-slate-900">{p.name}</dd>
        <dt className="font-medium text-slate-700">Offer</dt>
        <dd className="break-words text-slate-900">{p.offerId}</dd>
        <dt className="font-medium text-slate-700">Plan</dt>
        <dd className="break-words text-slate-900" data-testid="purchase-plan">
          {planWords(p.planId, p.quantity)}
          {p.isFreeTrial ? " (free trial)" : ""}
          {p.isTest ? " (test purchase)" : ""}
        </dd>
        <dt className="font-medium text-slate-700">For</dt>
        <dd className="break-words text-slate-900" data-testid="purchase-beneficiary">
          {who}
        </dd>
        {p.purchaserEmail && p.purchaserEmail !== p.beneficiaryEmail ? (
          <>
            <dt className="font-medium text-slate-700">Bought by</dt>
            <dd className="break-words text-slate-900">{p.purchaserEmail}</dd>
          </>
        ) : null}
      </dl>

      {problem === "other-organisation" ? (
        <div
          role="alert"
          className="mt-5 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
          data-testid="purchase-problem"
        >
          <p>
            <strong>
              This subscription was bought for another organisation
              {signedIn ? ` than the one ${signedIn.name} signed in with` : ""}.
            </strong>{" "}
            Only someone of the organisation it is for can activate it.
          </p>
          <p className="mt-2">
            Sign in with a work account of that organisation — for example {who} — or send them the link Microsoft gave
            you (“Configure account” on the subscription in the Azure portal or the Microsoft 365 admin center).
          </p>
        </div>
      ) : null}
      {problem === "activation-failed" ? (
        <p
          role="alert"
          className="mt-5 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
          data-testid="purchase-problem"
        >
          Microsoft’s marketplace did not take the activation just now. Nothing was charged twice; try again in a
          minute.
        </p>
      ) : null}

      <div className="mt-5 text-sm text-slate-700">
        {p.status === "PENDING" ? (
          <>
            <p>
              Confirm these details, then sign in with a Microsoft work account of the organisation this is for: the
              subscription is activated (and billing starts) once you are signed in. Then you approve {appName} for your
              organisation and connect your environments.
            </p>
            <div className="mt-4 flex flex-wrap gap-3">
              {signedIn?.beneficiary && problem === null ? (
                <LinkButton href={activate}>Activate the subscription</LinkButton>
              ) : canSignIn ? (
                <SignInButton
                  returnTo={activate}
                  source="appsource-marketplace"
                  tenant={domainOf(p.beneficiaryEmail)}
                  chooseAccount={problem === "other-organisation" || (signedIn !== null && !signedIn.beneficiary)}
                  label="Sign in to activate"
                />
              ) : (
                <p role="status" className="text-amber-900">
                  Sign-in is not available: this portal has no Microsoft Entra ID application configured.
                </p>
              )}
            </div>
          </>
        ) : p.status === "UNSUBSCRIBED" ? (
          <p role="status" data-testid="purchase-cancelled">
            This subscription was cancelled in the marketplace and cannot be activated. To use {appName}, buy it again
            from its listing.
          </p>
        ) : (
          <>
            <p>This subscription is already active. Sign in to see your organisation’s connection.</p>
            <div className="mt-4">
              {signedIn?.beneficiary ? (
                <LinkButton href="/onboarding">Go to your connection</LinkButton>
              ) : canSignIn ? (
                <SignInButton returnTo={activate} source="appsource-marketplace" label="Sign in" />
              ) : null}
            </div>
          </>
        )}
      </div>
    </section>
  );
}
