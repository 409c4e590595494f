import type { Metadata } from "next";
import Link from "next/link";
import { removeEnvironmentAction } from "@/app/(onboarding)/onboarding/actions";
import { EnvironmentForm } from "./_components/environment-form";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { getDiscovery } from "@/lib/data/delegated";
import { customerScope } from "@/lib/data/scope";
import { getTenant } from "@/lib/data/tenants";
import { EnvironmentPicker } from "./_components/environment-picker";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireCustomer("/onboarding/environments");
  const scope = customerScope(session);
  const tenant = await getTenant(scope);
  const environments = tenant?.environments ?? [];
  const admin = session.tenantAdmin;
  const c = config();
  const discoveryId = (await searchParams).discovery;
  const discovery = admin && typeof discoveryId === "string" ? await getDiscovery(scope, session.id, discoveryId) : null;
  return (
    <div className="space-y-8">
      <h1 className="text-3xl font-bold text-slate-900">Environments</h1>
      {admin ? null : <ReadOnlyNotice {...await whoCanAct(tenant)} />}
      <section aria-labelledby="registered-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="registered-heading" className="font-semibold">
          Registered environments
        </h2>
        {environments.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">None yet.{admin ? " Register the first one below." : ""}</p>
        ) : (
          <table className="mt-4 w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-2">Environment</th>
                <th className="py-2">Latest check</th>
                <th className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {environments.map((e) => (
                <tr key={e.id}>
                  <td className="py-3">
                    <Link href={`/onboarding/environments/${e.id}`} className="font-mono text-brand-700 underline">
                      {e.url}
                    </Link>
                    {e.friendlyName ? <span className="block text-xs text-slate-500">{e.friendlyName}</span> : null}
                  </td>
                  <td className="py-3">
                    <OutcomeBadge outcome={e.latestCheckOutcome} />
                  </td>
                  <td className="py-3 text-right">
                    {admin ? (
                    <form action={removeEnvironmentAction}>
                      <input type="hidden" name="environmentId" value={e.id} />
                      <button type="submit" className="text-sm font-medium text-red-700 underline" aria-label={`Remove ${e.url}`}>
                        Remove
                      </button>
                    </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {admin && c.dataverse.globalDiscoveryUrl ? (
        <section id="picker" aria-labelledby="picker-heading" className="rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="picker-heading" className="font-semibold">
            Pick from your environments
          </h2>
          <p className="mt-1 mb-4 text-sm text-slate-600">No URL to copy: choose from the environments Microsoft knows you can use.</p>
          <EnvironmentPicker discovery={discovery} registeredUrls={environments.map((e) => e.url)} appName={c.branding.appName} />
        </section>
      ) : null}
      {admin ? (
      <section aria-labelledby="add-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="add-heading" className="font-semibold">
          {c.dataverse.globalDiscoveryUrl ? "Or paste its address" : "Register an environment"}
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          Before saving, the portal asks the environment which Microsoft Entra ID tenant it belongs to; only your own organisation&rsquo;s environments can be
          registered.
        </p>
        <EnvironmentForm />
      </section>
      ) : null}
    </div>
  );
}
