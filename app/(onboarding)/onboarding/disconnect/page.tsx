import { cardClass } from "@/components/ui/card";
import type { Metadata } from "next";
import { count } from "@/components/format";
import { DisconnectForm } from "./_components/disconnect-form";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer, requireRecentSignIn } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerScope } from "@/lib/data/scope";
import { getTenant } from "@/lib/data/tenants";

export const metadata: Metadata = { title: "Disconnect" };

export default async function DisconnectPage() {
  const session = await requireCustomer("/onboarding/disconnect");
  // An administrator signs in again first when the sign-in is old (the roles it carries may be out of date).
  if (session.tenantAdmin) await requireRecentSignIn(session, "/onboarding/disconnect");
  const tenant = await getTenant(customerScope(session));
  const { appName } = config().branding;
  return (
    <div className="max-w-3xl space-y-6">
      <h1 className="text-3xl font-bold text-slate-900">Disconnect your organisation</h1>
      <p className="text-slate-700">
        This removes your organisation, its {count(tenant?.environments.length ?? 0, "registered environment")} and
        their check history from this portal, and signs you out. {appName} stops using the connection. A record that the
        disconnection happened is kept for audit.
      </p>
      <section className={cardClass()}>
        <h2 className="font-semibold">To remove {appName}&rsquo;s access in Microsoft as well</h2>
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
          <li>
            In each environment, deactivate or delete the application user (Power Platform admin center → Settings →
            Users + permissions → Application users;{" "}
            <a
              className="text-brand-700 underline"
              href="https://learn.microsoft.com/power-platform/admin/manage-application-users"
              rel="noreferrer"
              target="_blank"
            >
              Microsoft&rsquo;s guide
              <span className="sr-only"> to managing application users (opens in a new tab)</span>
            </a>
            ).
          </li>
          <li>
            Delete the enterprise application: Microsoft Entra admin center → <strong>Enterprise applications</strong> →{" "}
            {appName} → <strong>Properties</strong> → <strong>Delete</strong>. This revokes the admin consent (
            <a
              className="text-brand-700 underline"
              href="https://learn.microsoft.com/entra/identity/enterprise-apps/delete-application-portal"
              rel="noreferrer"
              target="_blank"
            >
              Microsoft&rsquo;s guide
              <span className="sr-only"> to deleting an enterprise application (opens in a new tab)</span>
            </a>
            ).
          </li>
        </ol>
      </section>
      {session.tenantAdmin ? (
        <section className={cardClass("plain", "border-red-200")}>
          <DisconnectForm confirmText={tenant?.primaryDomain ?? session.tenantId} />
        </section>
      ) : (
        <ReadOnlyNotice {...await whoCanAct(tenant)} />
      )}
    </div>
  );
}
