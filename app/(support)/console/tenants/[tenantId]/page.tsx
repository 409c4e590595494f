import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { HealthNotice } from "@/components/health-notice";
import { SupportCheckSteps } from "@/components/support/check-steps";
import { age, consentLabels, sourceLabels, utc } from "@/components/support/format";
import { RerunCheck } from "@/components/support/rerun-check";
import { CopyField } from "@/components/ui/copy-field";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { STAGE_LABELS } from "@/lib/data/support/tenant-filters";
import { getSupportTenant, stageOf, supportAuditTrail, supportCheckHistory } from "@/lib/data/support/tenants";
import { legacyAdminConsentUrl } from "@/lib/entra/consent-links";
import { requestOrigin } from "@/lib/request-origin";
import { staffStepLabel } from "@/lib/checks/vocabulary";

export const metadata: Metadata = { title: "Tenant" };

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export default async function SupportTenantPage({ params }: { params: Promise<{ tenantId: string }> }) {
  const { tenantId } = await params;
  await requireStaff(`/console/tenants/${encodeURIComponent(tenantId)}`);
  const tenant = await getSupportTenant(tenantId);
  if (!tenant) notFound();
  const [checks, events] = await Promise.all([supportCheckHistory(tenant.id), supportAuditTrail(tenant.id)]);
  const c = config();
  const origin = await requestOrigin();
  const portalConsentLink = new URL(`/consent?tenant=${encodeURIComponent(tenant.id)}`, origin).toString();
  const microsoftConsentLink = legacyAdminConsentUrl(c, origin, tenant.id);
  const now = new Date();
  const stage = stageOf({ ...tenant, environmentCount: tenant.environments.length });

  return (
    <div className="space-y-8">
      <div>
        <Link href="/console/tenants" className="text-sm text-brand-700 underline">
          ← All tenants
        </Link>
        <h1 className="mt-2 text-3xl font-bold text-slate-900">{tenant.displayName ?? tenant.primaryDomain ?? "Unnamed tenant"}</h1>
        <p className="mt-1 font-mono text-sm text-slate-600">{tenant.id}</p>
        <p className="mt-3 flex flex-wrap items-center gap-3 text-sm">
          <span className="rounded-full bg-slate-100 px-2.5 py-1 font-medium text-slate-800" data-testid="tenant-stage">
            {STAGE_LABELS[stage]}
          </span>
          <OutcomeBadge outcome={tenant.latestCheckOutcome} />
          {tenant.latestCheckAt ? <span className="text-slate-500">latest check {age(tenant.latestCheckAt, now)}</span> : null}
          {tenant.latestCheckOutcome === "FAILED" && tenant.latestFailingStep ? (
            <span className="text-red-800">
              failing at <code>{tenant.latestFailingStep}</code>
            </span>
          ) : null}
        </p>
      </div>

      <HealthNotice environments={tenant.environments} />

      <section aria-labelledby="facts-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="facts-heading" className="sr-only">
          Tenant facts
        </h2>
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Fact label="Primary domain">{tenant.primaryDomain ?? "—"}</Fact>
          <Fact label="Source">
            {sourceLabels[tenant.source]}
            {tenant.sourceTag ? <span className="text-slate-500"> ({tenant.sourceTag})</span> : null}
          </Fact>
          <Fact label="Consent">
            {consentLabels[tenant.consentState]}
            {tenant.consentGrantedByName && tenant.consentState === "GRANTED" ? <span className="text-slate-500"> by {tenant.consentGrantedByName}</span> : null}
          </Fact>
          <Fact label="Consent verified">{tenant.consentVerifiedAt ? utc(tenant.consentVerifiedAt) : "—"}</Fact>
          <Fact label="First sign-in">{utc(tenant.firstSignInAt)}</Fact>
          <Fact label="Last sign-in">{utc(tenant.lastSignInAt)}</Fact>
          <Fact label="Environments">{tenant.environments.length}</Fact>
          <Fact label="Invitation">{tenant.invitationId ? <code className="text-xs">{tenant.invitationId}</code> : "—"}</Fact>
        </dl>
      </section>

      <section aria-labelledby="consent-link-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="consent-link-heading" className="text-lg font-semibold">
          Consent link for this customer
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          Send the portal link to the customer&rsquo;s administrator; it starts sign-in and admin consent for this tenant. The direct Microsoft link is for
          admins who cannot use the portal.
        </p>
        <div className="space-y-4">
          <CopyField label="Portal consent link" value={portalConsentLink} />
          {microsoftConsentLink ? <CopyField label="Direct Microsoft admin consent link" value={microsoftConsentLink} multiline /> : null}
        </div>
      </section>

      <section aria-labelledby="environments-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="environments-heading" className="text-lg font-semibold">
          Environments
        </h2>
        {tenant.environments.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No environment registered yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100" aria-label="Environments">
            {tenant.environments.map((e) => (
              <li key={e.id} className="py-4" data-environment-id={e.id}>
                <div className="flex flex-wrap items-start justify-between gap-4">
                  <div>
                    <p className="font-mono text-sm text-slate-900">{e.url}</p>
                    <p className="mt-1 text-xs text-slate-500">
                      {e.friendlyName ? `${e.friendlyName} · ` : ""}
                      {e.cloud} cloud · registered {utc(e.createdAt)}
                      {e.registeredByName ? ` by ${e.registeredByName}` : ""}
                    </p>
                    <p className="mt-2 flex items-center gap-2 text-sm">
                      <OutcomeBadge outcome={e.latestCheckOutcome} />
                      <span className="text-slate-500">
                        {e.latestCheckAt ? `checked ${age(e.latestCheckAt, now)}` : "never checked"}
                        {e.latestCheckOutcome === "FAILED" && e.latestFailingStep ? ` · failing at ${e.latestFailingStep}` : ""}
                      </span>
                    </p>
                  </div>
                  <div className="w-full max-w-xl">
                    <RerunCheck tenantId={tenant.id} environmentId={e.id} environmentUrl={e.url} />
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="history-heading" className="text-lg font-semibold">
          Check history
        </h2>
        <p className="mt-1 text-sm text-slate-600">The newest {checks.length} checks across this tenant&rsquo;s environments, with the vendor-side detail.</p>
        {checks.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No check has run yet.</p>
        ) : (
          <ol className="mt-3 divide-y divide-slate-100" aria-label="Check history">
            {checks.map((check, i) => (
              <li key={check.id} className="py-2" data-check-id={check.id}>
                <details open={i === 0}>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
                    <OutcomeBadge outcome={check.outcome} />
                    <time dateTime={check.startedAt.toISOString()}>{utc(check.startedAt)}</time>
                    <span className="font-mono text-xs text-slate-600">{check.environment.url.replace(/^https:\/\//, "")}</span>
                    <span className="text-slate-500">
                      {check.trigger.toLowerCase()}
                      {check.triggeredByName ? ` by ${check.triggeredByName}` : ""}
                      {check.durationMs !== null ? ` · ${check.durationMs} ms` : ""}
                      {` · ${check.entraRequests} Entra + ${check.dataverseRequests} Dataverse requests`}
                      {check.failingStep ? ` · failed at ${staffStepLabel(check.failingStep)}` : ""}
                    </span>
                  </summary>
                  <p className="mt-1 font-mono text-xs text-slate-400">check {check.id}</p>
                  <SupportCheckSteps steps={check.steps} />
                </details>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="audit-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit trail
        </h2>
        <p className="mt-1 text-sm text-slate-600">Newest first, the last {events.length} events. The trail is read-only.</p>
        {events.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No events.</p>
        ) : (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label="Audit trail">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    When (UTC)
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Who
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Action
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Target
                  </th>
                  <th scope="col" className="py-2">
                    Details
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {events.map((event) => (
                  <tr key={event.id} className="align-top">
                    <td className="py-2 pr-3 whitespace-nowrap">{utc(event.createdAt)}</td>
                    <td className="py-2 pr-3">
                      {event.actorName ?? "—"} <span className="text-xs text-slate-500">({event.actorKind.toLowerCase()})</span>
                    </td>
                    <td className="py-2 pr-3">
                      <code className="text-xs">{event.action}</code>
                    </td>
                    <td className="py-2 pr-3 font-mono text-xs text-slate-600">{event.targetType ? `${event.targetType} ${event.targetId ?? ""}` : "—"}</td>
                    <td className="py-2 font-mono text-xs break-all text-slate-600">{event.details ? JSON.stringify(event.details) : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
