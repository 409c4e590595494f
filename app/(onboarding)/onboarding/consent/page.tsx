import { buttonClass } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { cardClass } from "@/components/ui/card";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { startAdminConsent } from "@/app/(onboarding)/onboarding/actions";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerScope } from "@/lib/data/scope";
import { getTenant } from "@/lib/data/tenants";
import { expireUnprovenConsents } from "@/lib/onboarding/consent";

export const metadata: Metadata = { title: "Admin consent" };

export default async function ConsentStepPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireCustomer("/onboarding/consent");
  const c = config();
  if (c.entra.tenancy === "single") redirect("/onboarding/environments");
  await expireUnprovenConsents(customerScope(session));
  const tenant = await getTenant(customerScope(session));
  const params = await searchParams;
  const result = typeof params.result === "string" ? params.result : null;
  const code = typeof params.code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(params.code) ? params.code : null;
  const { appName } = c.branding;

  const results: Record<string, { title: string; body: string }> = {
    cancelled: {
      title: "Consent was cancelled",
      body: `You closed Microsoft's consent page without answering, so ${appName} is not approved yet. Start again when you are ready.`,
    },
    declined: {
      title: "Consent was declined",
      body: `Microsoft reports that the permissions were declined${code ? ` (${code})` : ""}. ${appName} cannot connect until an administrator accepts them. If this was a mistake, start again and choose Accept.`,
    },
    "not-admin": {
      title: "An administrator has to approve this",
      body: `The account you used on Microsoft's page is not allowed to approve apps for your organisation${code ? ` (${code})` : ""}. Ask a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator to sign in here and grant consent — or send them the direct consent link from the Connect page.`,
    },
    "other-tenant": {
      title: "Consent came back for a different organisation",
      body: `Microsoft's answer named a different tenant than the one you are signed in with (${session.tenantId}), so nothing was recorded. Start again and approve ${appName} with an administrator account of your own organisation, or sign out and sign in with the other organisation's account.`,
    },
    error: {
      title: "Microsoft could not complete the consent",
      body: `Microsoft returned an error${code ? ` (${code})` : ""}. Nothing was recorded. Please start again; if it keeps failing, contact ${c.branding.supportEmail}.`,
    },
    returned: {
      title: "You came back without granting consent",
      body: `Microsoft sent you back without an answer. If its page said "Need admin approval", the account you used cannot approve apps for your organisation: ask a Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator to sign in here and grant consent. If one already approved ${appName} with the direct link, verify it below.`,
    },
    check: {
      title: "Check your consent",
      body: "If an administrator approved the app with the direct link, verify it below: the portal asks Microsoft for a token for your organisation.",
    },
  };
  const granted = tenant?.consentState === "GRANTED";
  // The tenant's state wins over the outcome of a later round trip: never "declined" beside "granted".
  const shown = result && !granted ? results[result] : undefined;
  const admin = session.tenantAdmin;

  return (
    <div className="max-w-3xl space-y-6">
      <h1 className="text-3xl font-bold text-slate-900">Admin consent</h1>
      {shown ? (
        <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4">
          <h2 className="font-semibold text-amber-950">{shown.title}</h2>
          <p className="mt-1 text-sm text-amber-900">{shown.body}</p>
        </div>
      ) : null}
      {!shown && tenant?.consentState === "NOT_GRANTED" && tenant.consentFailure ? (
        <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="consent-failure">
          <h2 className="font-semibold text-amber-950">Consent could not be proven</h2>
          <p className="mt-1 text-sm text-amber-900">{tenant.consentFailure}</p>
          <p className="mt-1 text-sm text-amber-900">
            An administrator grants admin consent again below; the portal then checks it with Microsoft.
          </p>
        </div>
      ) : null}
      {granted ? (
        <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-emerald-900">
          Consent is granted and verified
          {tenant?.consentVerifiedAt ? (
            <>
              {" "}
              (last verified <LocalTime date={tenant.consentVerifiedAt} />)
            </>
          ) : null}
          . {appName} has an enterprise application in your tenant.
        </p>
      ) : null}
      {admin ? null : <ReadOnlyNotice {...await whoCanAct(tenant)} />}
      <section className={cardClass()}>
        <h2 className="font-semibold">What happens</h2>
        <ol className="mt-3 list-decimal space-y-2 pl-5 text-sm text-slate-700">
          <li>You go to Microsoft&rsquo;s page for your organisation and approve {appName}, as an administrator.</li>
          <li>
            Microsoft creates the app&rsquo;s enterprise application (service principal) in your tenant. That alone
            grants no access to your data.
          </li>
          <li>
            Back here, the portal checks with Microsoft that the app can now sign in to your tenant. This can take up to
            a minute while Microsoft replicates the change.
          </li>
        </ol>
        {admin ? (
          <form action={startAdminConsent} className="mt-6">
            <button type="submit" className={buttonClass()}>
              {granted ? "Grant admin consent again" : "Grant admin consent"}
            </button>
          </form>
        ) : null}
      </section>
      {granted && admin ? (
        <a href="/onboarding/consent/verify" className="inline-block text-sm font-medium text-brand-700 underline">
          Check the consent again with Microsoft
        </a>
      ) : null}
      {!granted && admin ? (
        <section className={cardClass()}>
          <h2 className="font-semibold">Already approved with the direct link?</h2>
          <a
            href="/onboarding/consent/verify"
            className="mt-3 inline-block text-sm font-medium text-brand-700 underline"
          >
            Verify consent now
          </a>
        </section>
      ) : null}
    </div>
  );
}
