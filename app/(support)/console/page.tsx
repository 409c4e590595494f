import type { Metadata } from "next";
import Link from "next/link";
import { BarChart } from "@/components/support/bar-chart";
import { count } from "@/components/format";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { CredentialCard } from "./_components/credential-card";
import { staffStepLabel } from "@/lib/checks/vocabulary";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { credentialsOverview } from "@/lib/credentials";
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

export default async function ConsoleOverview() {
  await requireStaff("/console");
  const now = new Date();
  const [funnel, failures, credentials] = await Promise.all([
    onboardingFunnel(),
    failuresByStep(new Date(now.getTime() - FAILURE_WINDOW_DAYS * 86_400_000)),
    credentialsOverview(config().entra.credentials, now),
  ]);
  const stages = Object.keys(funnelLabels) as FunnelStage[];
  const totalFailures = failures.reduce((n, f) => n + f.checks, 0);

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Onboarding at a glance</h1>
        <p className="mt-2 text-slate-600">
          {count(funnel.total, "tenant")} signed in; {funnel.failing} failing their latest connection check.
          {funnel.disconnected ? (
            <>
              {" "}
              <Link href="/console/tenants?stage=disconnected" className="text-brand-700 underline">
                {count(funnel.disconnected, "tenant")} disconnected
              </Link>
              .
            </>
          ) : null}
        </p>
      </div>

      <CredentialCard credentials={credentials} />

      <div className="grid gap-6 lg:grid-cols-2">
        <Card
          title="Onboarding funnel"
          id="funnel"
          description="Tenants that reached each stage, and those whose latest check fails."
        >
          <BarChart
            title="Onboarding funnel"
            unit="tenants"
            bars={[
              ...stages.map((s) => ({ label: funnelLabels[s], value: funnel.reached[s] })),
              { label: "Failing", value: funnel.failing, tone: "danger" as const },
            ]}
          />
          <Table label="Onboarding funnel figures" className="mt-4">
            <THead>
              <Tr>
                <Th>Stage</Th>
                <Th className="sm:text-right">Tenants</Th>
                <Th className="sm:text-right">Share</Th>
              </Tr>
            </THead>
            <TBody>
              {[
                ...stages.map((s) => ({
                  key: s as string,
                  label: funnelLabels[s],
                  href: funnelLinks[s],
                  value: funnel.reached[s],
                  danger: false,
                })),
                {
                  key: "failing",
                  label: "Failing",
                  href: "/console/tenants?stage=failing",
                  value: funnel.failing,
                  danger: true,
                },
              ].map((r) => (
                <Tr key={r.key}>
                  <Td label="Stage">
                    <Link
                      href={r.href}
                      className={r.danger ? "font-medium text-red-700 underline" : "text-brand-700 underline"}
                    >
                      {r.label}
                    </Link>
                  </Td>
                  <Td label="Tenants" className="tabular-nums sm:text-right">
                    {r.value}
                  </Td>
                  <Td label="Share" className="tabular-nums sm:text-right">
                    {funnel.total ? Math.round((r.value / funnel.total) * 100) : 0}%
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>

        <Card
          title={`Failures of the last ${FAILURE_WINDOW_DAYS} days by step`}
          id="failures"
          description={
            <>
              {count(totalFailures, "failed check")} since{" "}
              <LocalTime date={new Date(now.getTime() - FAILURE_WINDOW_DAYS * 86_400_000)} />, by the step that failed.
            </>
          }
        >
          <BarChart
            title="Failed checks by step, last 7 days"
            unit="failed checks"
            bars={failures.map((f) => ({ label: staffStepLabel(f.step), value: f.checks, tone: "danger" as const }))}
          />
          <Table label="Failures by step figures" className="mt-4">
            <THead>
              <Tr>
                <Th>Step</Th>
                <Th className="sm:text-right">Failed checks</Th>
                <Th className="sm:text-right">Tenants</Th>
              </Tr>
            </THead>
            <TBody>
              {failures.map((f) => (
                <Tr key={f.step}>
                  <Td label="Step">
                    <Link href={`/console/tenants?step=${f.step}`} className="text-brand-700 underline">
                      {staffStepLabel(f.step)}
                    </Link>
                  </Td>
                  <Td label="Failed checks" className="tabular-nums sm:text-right">
                    {f.checks}
                  </Td>
                  <Td label="Tenants" className="tabular-nums sm:text-right">
                    {f.tenants}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      </div>
    </div>
  );
}
