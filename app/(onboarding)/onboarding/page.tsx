import type { Metadata } from "next";
import Link from "next/link";
import { count } from "@/components/format";
import { LinkButton } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { HealthNotice } from "@/components/health-notice";
import { EmailAlerts } from "./_components/email-alerts";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { DisconnectedNotice, ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerScope } from "@/lib/data/scope";
import { getTenant, getTenantWithSubscription } from "@/lib/data/tenants";
import { sealPurchaseReference } from "@/lib/subscriptions/landing-reference";
import { CustomerSubscriptionCard } from "@/components/subscriptions/subscription-status";
import { environmentName } from "./environments/_components/environment-name";
import { listAlertRecipients } from "@/lib/data/alert-recipients";
import { expireUnprovenConsents } from "@/lib/onboarding/consent";

export const metadata: Metadata = { title: "Your connection" };

const consentText = {
  NOT_GRANTED: "Not granted yet",
  PENDING_VERIFICATION: "Returned from Microsoft; being verified",
  GRANTED: "Granted and verified",
  REVOKED: "Revoked",
} as const;

export default async function OnboardingOverview({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireCustomer("/onboarding");
  // A "granted" consent left unproven past its time is shown as what it is: not granted, and why.
  const scope = customerScope(session);
  // The alert recipients are read beside the overview (they do not depend on it): one wait for both.
  const [overview, recipients, params] = await Promise.all([
    getTenantWithSubscription(scope),
    listAlertRecipients(scope),
    searchParams,
  ]);
  const read = overview?.tenant ?? null;
  const subscription = overview?.subscription ?? null;
  // Only a consent still being verified can have timed out: then the sweep decides, and the tenant is read again.
  const tenant =
    read?.consentState === "PENDING_VERIFICATION" && (await expireUnprovenConsents(scope)).length > 0
      ? await getTenant(scope)
      : read;
  const c = config();
  if (!tenant) return null;
  const single = c.entra.tenancy === "single";
  const consented = single || tenant.consentState === "GRANTED";
  const hasEnvironments = tenant.environments.length > 0;
  const allPassing =
    hasEnvironments &&
    tenant.environments.every((e) => e.latestCheckOutcome === "PASSED" || e.latestCheckOutcome === "WARNING");
  const failing = tenant.environments.filter((e) => e.latestCheckOutcome === "FAILED");
  // What the page says first: connected; or what needs attention and who acts on it — "finish the steps below"
  // only to an administrator who still has steps to finish.
  const headline = allPassing
    ? `Connected: ${c.branding.appName} can reach every registered environment.`
    : failing.length > 0
      ? `${failing.length === 1 ? `${environmentName(failing[0]!)} needs` : `${count(failing.length, "environment")} need`} attention: ${
          session.tenantAdmin
            ? "open it below to see the cause and the fix."
            : "an administrator of your organisation fixes it; the cause is shown below."
        }`
      : session.tenantAdmin
        ? "Finish the steps below to connect your organisation."
        : "Not connected yet: an administrator of your organisation finishes the steps.";
  const next = !session.tenantAdmin
    ? null
    : !consented
      ? { href: "/onboarding/consent", label: "Grant admin consent" }
      : !hasEnvironments
        ? { href: "/onboarding/environments", label: "Register an environment" }
        : !allPassing
          ? (() => {
              const next = tenant.environments.find(
                (e) => e.latestCheckOutcome !== "PASSED" && e.latestCheckOutcome !== "WARNING",
              )!;
              return {
                href: `/onboarding/environments/${next.id}`,
                label:
                  next.latestCheckOutcome === "FAILED"
                    ? `fix ${environmentName(next)}`
                    : "Set up the application user and check",
              };
            })()
          : null;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold break-words text-slate-900">
          {tenant.displayName ?? tenant.primaryDomain ?? "Your organisation"}
        </h1>
        <p className="mt-2 text-slate-600" data-testid="overview-headline">
          {headline}
        </p>
      </div>

      {params.subscription === "activated" && subscription?.status === "SUBSCRIBED" ? (
        <p
          role="status"
          className="rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-950"
          data-testid="subscription-activated"
        >
          Your subscription is active. {consented ? "" : `Next, approve ${c.branding.appName} for your organisation.`}
        </p>
      ) : null}

      <HealthNotice environments={tenant.environments} />

      {subscription ? (
        <CustomerSubscriptionCard
          subscription={subscription}
          appName={c.branding.appName}
          activateHref={
            subscription.status === "PENDING"
              ? `/consent/activate?purchase=${encodeURIComponent(sealPurchaseReference(subscription.id))}`
              : null
          }
        />
      ) : null}

      {tenant.disconnectedAt ? (
        <DisconnectedNotice
          disconnectedAt={tenant.disconnectedAt}
          disconnectedBy={tenant.disconnectedByName}
          {...await whoCanAct(tenant)}
        />
      ) : session.tenantAdmin ? null : (
        <ReadOnlyNotice {...await whoCanAct(tenant)} />
      )}

      <ol className="space-y-4" aria-label="Onboarding steps">
        <li className={cardClass()}>
          <h2 className="font-semibold">1. Signed in</h2>
          <p className="mt-1 text-sm text-slate-600">
            As {session.userName ?? session.userPrincipalName} of{" "}
            {tenant.displayName ?? tenant.primaryDomain ?? "your organisation"}
            {session.tenantAdmin ? ", an administrator of this connection." : ", with read-only access."}
          </p>
        </li>
        {single ? null : (
          <li className={cardClass()}>
            <h2 className="font-semibold">2. Admin consent</h2>
            <p className="mt-1 text-sm text-slate-600" data-testid="consent-state">
              {consentText[tenant.consentState]}
              {tenant.consentState === "GRANTED"
                ? tenant.consentGrantedByName
                  ? ` (by ${tenant.consentGrantedByName})`
                  : " (by an administrator, outside this portal)"
                : ""}
            </p>
            {tenant.consentState === "NOT_GRANTED" && tenant.consentFailure ? (
              <p className="mt-1 text-sm text-amber-900" data-testid="consent-failure">
                {tenant.consentFailure}
              </p>
            ) : null}
          </li>
        )}
        <li className={cardClass()}>
          <h2 className="font-semibold">{single ? "2" : "3"}. Environments and connection checks</h2>
          {hasEnvironments ? (
            <ul className="mt-3 divide-y divide-slate-100">
              {tenant.environments.map((e) => (
                <li key={e.id} className="flex flex-wrap items-center justify-between gap-3 py-2">
                  <span className="min-w-0">
                    <Link href={`/onboarding/environments/${e.id}`} className="font-medium text-brand-700 underline">
                      {environmentName(e)}
                    </Link>
                    <span className="block font-mono text-xs break-all text-slate-600">{e.url}</span>
                  </span>
                  <OutcomeBadge outcome={e.latestCheckOutcome} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm text-slate-600">No environment registered yet.</p>
          )}
        </li>
      </ol>

      <EmailAlerts
        recipients={recipients}
        me={{ objectId: session.userObjectId, admin: session.tenantAdmin }}
        vendorName={c.branding.vendorName}
      />

      {next ? <LinkButton href={next.href}>Next: {next.label}</LinkButton> : null}
    </div>
  );
}
