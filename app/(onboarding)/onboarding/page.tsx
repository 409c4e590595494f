import type { Metadata } from "next";
import Link from "next/link";
import { HealthNotice } from "@/components/health-notice";
import { EmailAlertsForm } from "./_components/email-alerts-form";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerScope } from "@/lib/data/scope";
import { getTenant } from "@/lib/data/tenants";

export const metadata: Metadata = { title: "Your connection" };

const consentText = {
  NOT_GRANTED: "Not granted yet",
  PENDING_VERIFICATION: "Returned from Microsoft; being verified",
  GRANTED: "Granted and verified",
  REVOKED: "Revoked",
} as const;

export default async function OnboardingOverview() {
  const session = await requireCustomer("/onboarding");
  const tenant = await getTenant(customerScope(session));
  const c = config();
  if (!tenant) return null;
  const single = c.entra.tenancy === "single";
  const consented = single || tenant.consentState === "GRANTED";
  const hasEnvironments = tenant.environments.length > 0;
  const allPassing = hasEnvironments && tenant.environments.every((e) => e.latestCheckOutcome === "PASSED" || e.latestCheckOutcome === "WARNING");
  const next = !session.tenantAdmin
    ? null
    : !consented
    ? { href: "/onboarding/consent", label: "Grant admin consent" }
    : !hasEnvironments
      ? { href: "/onboarding/environments", label: "Register an environment" }
      : !allPassing
        ? { href: `/onboarding/environments/${tenant.environments.find((e) => e.latestCheckOutcome !== "PASSED" && e.latestCheckOutcome !== "WARNING")!.id}`, label: "Set up the application user and check" }
        : null;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">{tenant.primaryDomain ?? "Your organisation"}</h1>
        <p className="mt-2 text-slate-600">{allPassing ? `Connected: ${c.branding.appName} can reach every registered environment.` : "Finish the steps below to connect your organisation."}</p>
      </div>

      <HealthNotice environments={tenant.environments} />

      {session.tenantAdmin ? null : <ReadOnlyNotice {...await whoCanAct(tenant)} />}

      <ol className="space-y-4" aria-label="Onboarding steps">
        <li className="rounded-xl border border-slate-200 bg-white p-5">
          <h2 className="font-semibold">1. Signed in</h2>
          <p className="mt-1 text-sm text-slate-600">
            As {session.userName ?? session.userPrincipalName} from tenant {tenant.id}
            {session.tenantAdmin ? ", an administrator of this connection." : ", with read-only access."}
          </p>
        </li>
        {single ? null : (
          <li className="rounded-xl border border-slate-200 bg-white p-5">
            <h2 className="font-semibold">2. Admin consent</h2>
            <p className="mt-1 text-sm text-slate-600" data-testid="consent-state">
              {consentText[tenant.consentState]}
              {tenant.consentState === "GRANTED" ? (tenant.consentGrantedByName ? ` (by ${tenant.consentGrantedByName})` : " (by an administrator, outside this portal)") : ""}
            </p>
          </li>
        )}
        <li className="rounded-xl border border-slate-200 bg-white p-5">
          <h2 className="font-semibold">{single ? "2" : "3"}. Environments and connection checks</h2>
          {hasEnvironments ? (
            <ul className="mt-3 divide-y divide-slate-100">
              {tenant.environments.map((e) => (
                <li key={e.id} className="flex flex-wrap items-center justify-between gap-3 py-2">
                  <Link href={`/onboarding/environments/${e.id}`} className="font-mono text-sm text-brand-700 underline">
                    {e.url}
                  </Link>
                  <OutcomeBadge outcome={e.latestCheckOutcome} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm text-slate-600">No environment registered yet.</p>
          )}
        </li>
      </ol>

      <EmailAlertsForm on={!tenant.emailAlertsOff} canChange={session.tenantAdmin} />

      {next ? (
        <Link href={next.href} className="inline-flex rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-700">
          Next: {next.label}
        </Link>
      ) : null}
    </div>
  );
}
