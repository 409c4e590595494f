import type { Metadata } from "next";
import Link from "next/link";
import { count } from "@/components/format";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { requireCustomer } from "@/lib/auth/session";
import { customerStepLabel } from "@/lib/checks/vocabulary";
import { config } from "@/lib/config";
import { getDiscovery } from "@/lib/data/delegated";
import { customerScope } from "@/lib/data/scope";
import { getTenant } from "@/lib/data/tenants";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { environmentName } from "./_components/environment-name";
import { EnvironmentForm } from "./_components/environment-form";
import { EnvironmentPicker } from "./_components/environment-picker";
import { RemoveEnvironmentForm } from "./_components/remove-environment-form";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireCustomer("/onboarding/environments");
  const scope = customerScope(session);
  const tenant = await getTenant(scope);
  const environments = tenant?.environments ?? [];
  const admin = session.tenantAdmin;
  const c = config();
  const { roleName } = c.dataverse;
  const discoveryId = (await searchParams).discovery;
  const discovery =
    admin && typeof discoveryId === "string" ? await getDiscovery(scope, session.id, discoveryId) : null;
  return (
    <div className="space-y-8">
      <h1 className="text-3xl font-bold text-slate-900">Environments</h1>
      {admin ? null : <ReadOnlyNotice {...await whoCanAct(tenant)} />}
      <Card
        id="registered"
        title="Registered environments"
        description={
          environments.length
            ? `${count(environments.length, "environment")} registered for your organisation.`
            : undefined
        }
      >
        {environments.length === 0 ? (
          <p className="text-sm text-slate-600">None yet.{admin ? " Register the first one below." : ""}</p>
        ) : (
          <Table label="Environments of your organisation">
            <THead>
              <Tr>
                <Th>Environment</Th>
                <Th>Latest check</Th>
                <Th>Registered</Th>
                {admin ? (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </Tr>
            </THead>
            <TBody>
              {environments.map((e) => (
                <Tr key={e.id}>
                  <Td label="Environment">
                    {/* The name leads; the URL, which tells two environments of the same name apart, is part of the link. */}
                    <Link href={`/onboarding/environments/${e.id}`} className="block text-brand-700">
                      <span className="font-semibold underline">{environmentName(e)}</span>
                      <span className="block font-mono text-xs break-all text-slate-600">{e.url}</span>
                    </Link>
                  </Td>
                  <Td label="Latest check">
                    <OutcomeBadge outcome={e.latestCheckOutcome} />
                    {e.latestCheckAt ? (
                      <span className="mt-1 block text-xs text-slate-600">
                        <LocalTime date={e.latestCheckAt} />
                        {e.latestFailingStep ? ` · failed at: ${customerStepLabel(e.latestFailingStep, roleName)}` : ""}
                      </span>
                    ) : null}
                  </Td>
                  <Td label="Registered" className="text-xs text-slate-600">
                    <LocalTime date={e.createdAt} />
                    {e.registeredByName ? <span className="block">by {e.registeredByName}</span> : null}
                  </Td>
                  {admin ? (
                    <Td label="Actions">
                      <RemoveEnvironmentForm environmentId={e.id} name={environmentName(e)} />
                    </Td>
                  ) : null}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {admin && c.dataverse.globalDiscoveryUrl ? (
        <Card
          id="picker"
          title="Pick from your environments"
          description="No URL to copy: choose from the environments Microsoft knows you can use."
        >
          <EnvironmentPicker
            discovery={discovery}
            registeredUrls={environments.map((e) => e.url)}
            appName={c.branding.appName}
          />
        </Card>
      ) : null}
      {admin ? (
        <Card
          id="add"
          title={c.dataverse.globalDiscoveryUrl ? "Or paste its address" : "Register an environment"}
          description={
            <>
              Before saving, the portal asks the environment which Microsoft Entra ID tenant it belongs to; only your
              own organisation&rsquo;s environments can be registered.
            </>
          }
        >
          {/* With the picker above, pasting is the fallback: its button is not the page's primary one. */}
          <EnvironmentForm primary={!c.dataverse.globalDiscoveryUrl} />
        </Card>
      ) : null}
    </div>
  );
}
