import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { age } from "@/components/format";
import { consentLabels, sourceLabels } from "@/components/support/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { CustomerReferenceForm } from "@/app/(support)/console/_components/customer-reference-form";
import { HealthNotice } from "@/components/health-notice";
import { CopyField } from "@/components/ui/copy-field";
import { EmptyState } from "@/components/ui/empty-state";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { currentSession, isStaffWith, requireStaff } from "@/lib/auth/session";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import { config } from "@/lib/config";
import { STAGE_LABELS } from "@/lib/data/support/tenant-filters";
import {
  auditViewOf,
  getSupportTenant,
  stageOf,
  supportAuditTrail,
  supportCheckHistory,
} from "@/lib/data/support/tenants";
import { legacyAdminConsentUrl } from "@/lib/entra/consent-links";
import { requestOrigin } from "@/lib/request-origin";
import { AuditTrail, AuditViewLinks } from "./_components/audit-trail";
import { CheckHistory } from "./_components/check-history";
import { EnvironmentList } from "./_components/environment-list";
import { TenantSubscriptions } from "@/components/subscriptions/tenant-subscriptions";
import { tenantSubscriptions } from "@/lib/data/support/subscriptions";

/** The organisation's name in the title — only for staff (the title must not tell anyone else who is a customer). */
export async function generateMetadata({ params }: { params: Promise<{ tenantId: string }> }): Promise<Metadata> {
  const { tenantId } = await params;
  const session = await currentSession();
  if (!session || !isStaffWith(session, "operator")) return { title: "Tenant" };
  const tenant = await getSupportTenant(tenantId);
  return { title: tenant?.displayName ?? tenant?.primaryDomain ?? "Tenant" };
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-600 uppercase">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-slate-900">{children}</dd>
    </div>
  );
}

export default async function SupportTenantPage({
  params,
  searchParams,
}: {
  params: Promise<{ tenantId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { tenantId } = await params;
  const auditView = auditViewOf((await searchParams).events);
  const session = await requireStaff(`/console/tenants/${encodeURIComponent(tenantId)}`);
  const tenant = await getSupportTenant(tenantId);
  if (!tenant) notFound();
  const [checks, trail, subscriptions] = await Promise.all([
    supportCheckHistory(tenant.id),
    supportAuditTrail(tenant.id, auditView),
    tenantSubscriptions(tenant.id),
  ]);
  const events = trail.events;
  const c = config();
  const origin = await requestOrigin();
  const portalConsentLink = new URL(`/consent?tenant=${encodeURIComponent(tenant.id)}`, origin).toString();
  const microsoftConsentLink = legacyAdminConsentUrl(c, origin, tenant.id);
  const now = new Date();
  const stage = stageOf({ ...tenant, environmentCount: tenant.environments.length });
  const environmentNames = new Map(
    tenant.environments.map((e) => [e.id, e.friendlyName ?? e.url.replace(/^https:\/\//, "")]),
  );

  return (
    <div className="space-y-8">
      <div>
        <Link href="/console/tenants" className="text-sm text-brand-700 underline">
          ← All tenants
        </Link>
        <h1 className="mt-2 text-3xl font-bold break-words text-slate-900">
          {tenant.displayName ?? tenant.primaryDomain ?? "Unnamed tenant"}
        </h1>
        <p className="mt-3 flex flex-wrap items-center gap-3 text-sm">
          <Badge tone={stage === "disconnected" ? "dark" : "neutral"} data-testid="tenant-stage">
            {STAGE_LABELS[stage]}
          </Badge>
          <OutcomeBadge outcome={tenant.latestCheckOutcome} />
          {tenant.latestCheckAt ? (
            <span className="text-slate-600">latest check {age(tenant.latestCheckAt, now)}</span>
          ) : null}
          {tenant.latestCheckOutcome === "FAILED" && tenant.latestFailingStep ? (
            <span className="text-red-800">failing at “{staffStepLabel(tenant.latestFailingStep)}”</span>
          ) : null}
        </p>
      </div>

      {tenant.disconnectedAt ? (
        <Card title="Disconnected" id="disconnected">
          <p className="text-sm text-slate-700" data-testid="disconnected-by">
            {tenant.disconnectedByName ?? "An administrator of the organisation"} disconnected it on{" "}
            <LocalTime date={tenant.disconnectedAt} />. Its environments, checks, consent and sessions were removed; the
            audit trail below is kept. If someone of the organisation signs in again, it starts onboarding from the
            beginning.
          </p>
        </Card>
      ) : null}

      <HealthNotice environments={tenant.environments} />

      {subscriptions.length > 0 ? (
        <TenantSubscriptions subscriptions={subscriptions} disconnected={tenant.disconnectedAt !== null} />
      ) : null}

      <Card>
        <h2 className="sr-only">Tenant facts</h2>
        <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Fact label="Primary domain">{tenant.primaryDomain ?? "—"}</Fact>
          <Fact label="Tenant id">
            <code className="text-xs break-all">{tenant.id}</code>
          </Fact>
          <Fact label="Source">
            {sourceLabels[tenant.source]}
            {tenant.sourceTag ? <span className="text-slate-600"> ({tenant.sourceTag})</span> : null}
          </Fact>
          <Fact label="Consent">
            {consentLabels[tenant.consentState]}
            {tenant.consentGrantedByName && tenant.consentState === "GRANTED" ? (
              <span className="text-slate-600"> by {tenant.consentGrantedByName}</span>
            ) : null}
          </Fact>
          <Fact label="Consent verified">
            {tenant.consentVerifiedAt ? <LocalTime date={tenant.consentVerifiedAt} /> : "—"}
          </Fact>
          <Fact label="First sign-in">
            <LocalTime date={tenant.firstSignInAt} />
          </Fact>
          <Fact label="Last sign-in">
            <LocalTime date={tenant.lastSignInAt} />
          </Fact>
          <Fact label="Environments">{tenant.environments.length}</Fact>
          <Fact label="Customer reference">
            <CustomerReferenceForm
              tenantId={tenant.id}
              reference={tenant.customerReference}
              canEdit={isStaffWith(session, "admin")}
            />
          </Fact>
          <Fact label="Invitation">
            {tenant.invitationId ? <code className="text-xs break-all">{tenant.invitationId}</code> : "—"}
          </Fact>
        </dl>
      </Card>

      <Card
        title="Consent link for this customer"
        id="consent-link"
        description="Send the portal link to the customer’s administrator; it starts sign-in and admin consent for this tenant. The direct Microsoft link is for admins who cannot use the portal."
      >
        <div className="space-y-4">
          <CopyField label="Portal consent link" value={portalConsentLink} />
          {microsoftConsentLink ? (
            <CopyField label="Direct Microsoft admin consent link" value={microsoftConsentLink} multiline />
          ) : null}
        </div>
      </Card>

      <Card title="Environments" id="environments">
        {tenant.environments.length === 0 ? (
          <EmptyState framed={false}>No environment registered yet.</EmptyState>
        ) : (
          <EnvironmentList tenantId={tenant.id} environments={tenant.environments} now={now} />
        )}
      </Card>

      <Card
        title="Check history"
        id="history"
        description="Newest first, across this tenant’s environments, with the vendor-side detail: the latest checks people ran (the customer, support) and the latest scheduled ones, so scheduled runs never push out what a person ran."
      >
        {checks.length === 0 ? (
          <EmptyState framed={false}>No check has run yet.</EmptyState>
        ) : (
          <CheckHistory checks={checks} />
        )}
      </Card>

      <Card
        title="Audit trail"
        id="audit"
        description={`Newest first, the last ${events.length} of these events. The trail is read-only.`}
      >
        <AuditViewLinks tenantId={tenant.id} view={auditView} counts={trail.counts} />
        {events.length === 0 ? (
          <EmptyState framed={false} className="mt-4">
            {auditView === "people" ? "Nobody has done anything here yet." : "No events."}
          </EmptyState>
        ) : (
          <div className="mt-4">
            <AuditTrail events={events} environmentNames={environmentNames} />
          </div>
        )}
      </Card>
    </div>
  );
}
