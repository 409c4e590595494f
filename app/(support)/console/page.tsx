import type { Metadata } from "next";
import Link from "next/link";
import { BarChart } from "@/components/support/bar-chart";
import { utc } from "@/components/support/format";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { CREDENTIAL_WARNING_DAYS, credentialHealth, type CredentialHealth } from "@/lib/data/support/credential-health";
import { failuresByStep, onboardingFunnel, type FunnelStage } from "@/lib/data/support/overview";

export const metadata: Metadata = { title: "Overview" };

const FAILURE_WINDOW_DAYS = 7;

const funnelLabels: Record<FunnelStage, string> = {
  "signed-in": "Signed in",
  consented: "Consented",
  environment: "Environment registered",
  verified: "Application user verified",
};

const funnelLinks: Record<FunnelStage, string> = {
  "signed-in": "/console/tenants",
  consented: "/console/tenants?stage=consented",
  environment: "/console/tenants?stage=environment",
  verified: "/console/tenants?stage=verified",
};

function CredentialCard({ health }: { health: CredentialHealth }) {
  const kind = health.kind === "secret" ? "Client secret" : health.kind === "certificate" ? "Certificate" : "No credential";
  const tone =
    health.status === "ok"
      ? "border-emerald-200 bg-emerald-50 text-emerald-950"
      : health.status === "unknown"
        ? "border-slate-200 bg-white text-slate-900"
        : "border-red-200 bg-red-50 text-red-950";
  const message = {
    ok: `Valid for ${health.daysLeft} more days.`,
    expiring: `Expires in ${health.daysLeft} day${health.daysLeft === 1 ? "" : "s"}: add a new ${health.kind === "certificate" ? "certificate" : "secret"} to the app registration and deploy it before then, or every customer's connection stops.`,
    expired: "Expired: the portal cannot obtain tokens for any customer. Add a new credential to the app registration and deploy it now.",
    unknown: "Its expiry is not configured: set ENTRA_CLIENT_SECRET_EXPIRES_AT so the console can warn before it runs out.",
    unreadable: "The certificate file could not be read, so its expiry is unknown.",
    missing: "No credential is configured: the portal cannot obtain tokens.",
  }[health.status];
  return (
    <section aria-labelledby="credential-heading" className={`rounded-xl border p-6 ${tone}`} data-credential-status={health.status}>
      <h2 id="credential-heading" className="text-lg font-semibold">
        Our credential for Microsoft Entra ID
      </h2>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="font-medium">In use</dt>
        <dd data-testid="credential-kind">{kind}</dd>
        <dt className="font-medium">Expires</dt>
        <dd data-testid="credential-expires">{health.expiresAt ? utc(health.expiresAt) : "unknown"}</dd>
        {health.thumbprint ? (
          <>
            <dt className="font-medium">Thumbprint</dt>
            <dd className="font-mono text-xs">{health.thumbprint}</dd>
          </>
        ) : null}
      </dl>
      <p className="mt-3 text-sm" role={health.status === "ok" || health.status === "unknown" ? undefined : "alert"}>
        {health.status === "expiring" || health.status === "expired" ? <strong>Warning: </strong> : null}
        {message}
      </p>
      <p className="mt-1 text-xs opacity-75">A warning shows from {CREDENTIAL_WARNING_DAYS} days before expiry.</p>
    </section>
  );
}

export default async function ConsoleOverview() {
  await requireStaff("/console");
  const now = new Date();
  const [funnel, failures] = await Promise.all([onboardingFunnel(), failuresByStep(new Date(now.getTime() - FAILURE_WINDOW_DAYS * 86_400_000))]);
  const health = credentialHealth(config().entra.credential, now);
  const stages = Object.keys(funnelLabels) as FunnelStage[];
  const totalFailures = failures.reduce((n, f) => n + f.checks, 0);

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Onboarding at a glance</h1>
        <p className="mt-2 text-slate-600">
          {funnel.total} tenant{funnel.total === 1 ? "" : "s"} signed in; {funnel.failing} failing their latest connection check.
        </p>
      </div>

      <CredentialCard health={health} />

      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="funnel-heading" className="rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="funnel-heading" className="text-lg font-semibold">
            Onboarding funnel
          </h2>
          <p className="mt-1 mb-4 text-sm text-slate-600">Tenants that reached each stage, and those whose latest check fails.</p>
          <BarChart
            title="Onboarding funnel"
            unit="tenants"
            bars={[...stages.map((s) => ({ label: funnelLabels[s], value: funnel.reached[s] })), { label: "Failing", value: funnel.failing, tone: "danger" as const }]}
          />
          <table className="mt-4 w-full text-left text-sm" aria-label="Onboarding funnel figures">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1">Stage</th>
                <th className="py-1 text-right">Tenants</th>
                <th className="py-1 text-right">Share</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {stages.map((s) => (
                <tr key={s}>
                  <td className="py-1.5">
                    <Link href={funnelLinks[s]} className="text-brand-700 underline">
                      {funnelLabels[s]}
                    </Link>
                  </td>
                  <td className="py-1.5 text-right tabular-nums">{funnel.reached[s]}</td>
                  <td className="py-1.5 text-right tabular-nums">{funnel.total ? Math.round((funnel.reached[s] / funnel.total) * 100) : 0}%</td>
                </tr>
              ))}
              <tr>
                <td className="py-1.5">
                  <Link href="/console/tenants?stage=failing" className="font-medium text-red-700 underline">
                    Failing
                  </Link>
                </td>
                <td className="py-1.5 text-right tabular-nums">{funnel.failing}</td>
                <td className="py-1.5 text-right tabular-nums">{funnel.total ? Math.round((funnel.failing / funnel.total) * 100) : 0}%</td>
              </tr>
            </tbody>
          </table>
        </section>

        <section aria-labelledby="failures-heading" className="rounded-xl border border-slate-200 bg-white p-6">
          <h2 id="failures-heading" className="text-lg font-semibold">
            Failures of the last {FAILURE_WINDOW_DAYS} days by step
          </h2>
          <p className="mt-1 mb-4 text-sm text-slate-600">
            {totalFailures} failed check{totalFailures === 1 ? "" : "s"} since {utc(new Date(now.getTime() - FAILURE_WINDOW_DAYS * 86_400_000))}, by the step that failed.
          </p>
          <BarChart title="Failed checks by step, last 7 days" unit="failed checks" bars={failures.map((f) => ({ label: staffStepLabel(f.step), value: f.checks, tone: "danger" as const }))} />
          <table className="mt-4 w-full text-left text-sm" aria-label="Failures by step figures">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1">Step</th>
                <th className="py-1 text-right">Failed checks</th>
                <th className="py-1 text-right">Tenants</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {failures.map((f) => (
                <tr key={f.step}>
                  <td className="py-1.5">
                    <Link href={`/console/tenants?step=${f.step}`} className="text-brand-700 underline">
                      {staffStepLabel(f.step)}
                    </Link>
                  </td>
                  <td className="py-1.5 text-right tabular-nums">{f.checks}</td>
                  <td className="py-1.5 text-right tabular-nums">{f.tenants}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </div>
  );
}
