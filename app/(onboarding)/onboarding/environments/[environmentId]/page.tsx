import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { count } from "@/components/format";
import { DiagnosisBox, type StepView } from "@/components/onboarding/check-steps";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { LinkButton } from "@/components/ui/button";
import { Card, cardClass, type CardTone } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { whoCanAct } from "@/lib/onboarding/administrators";
import {
  environmentState,
  lastWorkedAt,
  primaryFix,
  setupIsHistory,
  type EnvironmentStateKind,
} from "@/lib/onboarding/environment-state";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerCheckView } from "@/lib/checks/customer-view";
import { whoCanFix } from "@/lib/checks/diagnoses";
import { customerStepLabel } from "@/lib/checks/vocabulary";
import { listChecks, runningCheckOf } from "@/lib/data/checks";
import { getSetup } from "@/lib/data/delegated";
import { getEnvironmentWithLatest } from "@/lib/data/environments";
import { getTenant } from "@/lib/data/tenants";
import { customerScope } from "@/lib/data/scope";
import { CONSENT_REMOVED } from "@/lib/checks/health";
import { CheckRunner } from "../_components/check-runner";
import { environmentName } from "../_components/environment-name";
import { HistoryEntry } from "../_components/history-entry";
import { ManualSetup } from "../_components/manual-setup";
import { SetupButton, SetupExplanation, SetupResult, type SetupView } from "../_components/setup-panel";

export const metadata: Metadata = { title: "Environment" };

const HEADLINES: Record<EnvironmentStateKind, string> = {
  new: "Not set up yet",
  healthy: "Connected and working",
  warning: "Working, with a warning",
  failing: "Not working",
};

const TONES: Record<EnvironmentStateKind, CardTone> = {
  new: "info",
  healthy: "success",
  warning: "warning",
  failing: "danger",
};

export default async function EnvironmentPage({
  params,
  searchParams,
}: {
  params: Promise<{ environmentId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { environmentId } = await params;
  const { setup: setupParam } = await searchParams;
  const session = await requireCustomer(`/onboarding/environments/${encodeURIComponent(environmentId)}`);
  const scope = customerScope(session);
  // The environment with the check that set its state (its steps: the cause and fix) and its latest setup run, and
  // beside it the history, listed without its steps (a check's steps are read when it is opened).
  const [found, checks, shown] = await Promise.all([
    getEnvironmentWithLatest(scope, environmentId),
    listChecks(scope, environmentId),
    typeof setupParam === "string" ? getSetup(scope, setupParam) : null,
  ]);
  // Another tenant's environment is indistinguishable from one that does not exist.
  if (!found) notFound();
  const { environment } = found;
  const running = runningCheckOf(checks);
  const latestFinished = found.latestCheck ? customerCheckView(found.latestCheck) : null;
  const latestSetup = (shown && shown.environmentId === environment.id ? shown : found.latestSetup) ?? null;
  const setupView: SetupView | null = latestSetup
    ? {
        id: latestSetup.id,
        startedAt: latestSetup.startedAt,
        startedByName: latestSetup.startedByName,
        outcome: latestSetup.outcome,
        steps: latestSetup.steps,
        diagnosis: latestSetup.diagnosis,
        decision: latestSetup.decision,
      }
    : null;
  const c = config();
  const { appName } = c.branding;
  const { roleName, rolePrivileges } = c.dataverse;
  const appId = c.entra.clientId ?? "";
  const pac = `pac admin assign-user --environment ${environment.url} --user ${appId} --role "${roleName}" --application-user`;
  // The demo links its emulated admin center; a real deployment links Microsoft's.
  const adminCenter = c.demoAdminCenterUrl ?? "https://admin.powerplatform.microsoft.com/environments";
  const admin = session.tenantAdmin;

  // The state leads: healthy (and since when it was proven), or the failing step's cause, fix and who can fix it.
  const state = environmentState(environment);
  const worked = lastWorkedAt(environment);
  const problem =
    latestFinished?.steps.find((step) => step.outcome === "FAILED" && step.customerCause) ??
    latestFinished?.steps.find((step) => step.outcome === "WARNING" && step.customerCause) ??
    null;
  // Consent removed is the environment's cause (lib/checks/health.ts), worded apart from the step's.
  const consentRemoved =
    state === "failing" && environment.healthCauseId === CONSENT_REMOVED && environment.healthCause;
  const summaryStep: Pick<
    StepView,
    "customerCause" | "customerFix" | "whoCanFix" | "errorCode" | "vendorFault"
  > | null = consentRemoved
    ? {
        customerCause: environment.healthCause,
        customerFix: "Grant admin consent again on the Admin consent page of this portal, then run the check.",
        whoCanFix: whoCanFix(CONSENT_REMOVED, c),
        errorCode: problem?.errorCode ?? null,
        vendorFault: false,
      }
    : problem;
  const failedAt = state === "failing" ? (environment.latestFailingStep ?? latestFinished?.failingStep ?? null) : null;
  // A failed (or waiting) run is history once a later check passed. A successful one is news on the page it
  // returns to (?setup=…), and otherwise only while the connection has not worked since.
  const openedForSetup = shown !== null && latestSetup === shown;
  const currentSetup =
    setupView &&
    ((setupView.outcome === "SUCCEEDED" && openedForSetup) || !setupIsHistory(setupView.startedAt, environment))
      ? setupView
      : null;
  const earlierSetup = setupView && !currentSetup ? setupView : null;
  const decisionPending = currentSetup?.outcome === "NEEDS_DECISION";
  const fix = primaryFix(environment);
  const works = state === "healthy" || state === "warning";

  const summary =
    state === "failing" && !summaryStep ? (
      <p className="text-sm text-slate-800">The last check did not finish, so it found no cause. Run it again.</p>
    ) : summaryStep ? (
      <DiagnosisBox step={summaryStep} tone={state === "failing" ? "danger" : "warning"} className="bg-white" />
    ) : null;

  const setupInstructions = (
    <>
      <Card id="setup-explained" title={works ? "Set it up for me" : "What “Set it up for me” does"}>
        {admin ? (
          <div className="space-y-4">
            <SetupExplanation roleName={roleName} privileges={rolePrivileges} appName={appName} />
            {/* Healthy: running it again is a choice, not the page's next step. */}
            {works ? (
              <SetupButton environmentId={environment.id} label="Set it up for me again" variant="secondary" />
            ) : null}
            {earlierSetup ? (
              <SetupResult
                environmentId={environment.id}
                roleName={roleName}
                appName={appName}
                latest={earlierSetup}
                history
              />
            ) : null}
          </div>
        ) : (
          // The read-only notice (who can act) is shown once, with the state above.
          <p className="text-sm text-slate-600">
            Your organisation&rsquo;s administrators can create the role and the application user here in one step.
          </p>
        )}
      </Card>
      <ManualSetup
        appName={appName}
        appId={appId}
        roleName={roleName}
        rolePrivileges={rolePrivileges}
        pac={pac}
        adminCenter={adminCenter}
        emulated={c.demoAdminCenterUrl !== null}
      />
    </>
  );

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold break-words text-slate-900">{environmentName(environment)}</h1>
        <p className="mt-1 font-mono text-sm break-all text-slate-600">{environment.url}</p>
        <p className="mt-2 text-sm text-slate-600">
          Registered <LocalTime date={environment.createdAt} />
          {environment.registeredByName ? ` by ${environment.registeredByName}` : ""}
        </p>
      </div>

      <section
        aria-labelledby="state-heading"
        className={cardClass(TONES[state])}
        data-testid="environment-state"
        data-state={state}
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="state-heading" className="text-lg font-semibold">
            {HEADLINES[state]}
          </h2>
          <span data-testid="latest-check-outcome">
            <OutcomeBadge outcome={environment.latestCheckOutcome} />
          </span>
        </div>
        <p className="mt-1 text-sm" data-testid="environment-state-facts">
          {state === "new" ? (
            admin ? (
              <>
                {appName} needs its security role and application user in this environment. &ldquo;Set it up for
                me&rdquo; creates both in one step; then the check proves the connection.
              </>
            ) : (
              <>No check has run yet.</>
            )
          ) : null}
          {works && worked ? (
            <>
              Last verified <LocalTime date={worked} />.
            </>
          ) : null}
          {state === "failing" ? (
            <>
              {failedAt ? <>Failed at: {customerStepLabel(failedAt, roleName)}. </> : null}
              {environment.brokenSince ? (
                <>
                  Broken since <LocalTime date={environment.brokenSince} />.{" "}
                </>
              ) : null}
              {worked ? (
                <>
                  Last worked <LocalTime date={worked} />.
                </>
              ) : (
                <>It has not worked yet.</>
              )}
            </>
          ) : null}
        </p>
        <div className="mt-4 space-y-4">
          {admin ? (
            <CheckRunner
              environmentId={environment.id}
              roleName={roleName}
              runningCheckId={running ?? (openedForSetup ? (latestSetup?.checkId ?? null) : null)}
              summary={summary}
              variant={fix === "check" && !decisionPending && state !== "healthy" ? "primary" : "secondary"}
              actions={
                <>
                  {fix === "consent" ? (
                    <LinkButton href="/onboarding/consent" variant={decisionPending ? "secondary" : "primary"}>
                      Grant admin consent
                    </LinkButton>
                  ) : null}
                  {works ? null : (
                    <SetupButton
                      environmentId={environment.id}
                      label={setupView ? "Set it up for me again" : "Set it up for me"}
                      variant={fix === "setup" && !decisionPending ? "primary" : "secondary"}
                    />
                  )}
                </>
              }
            />
          ) : (
            <>
              {summary}
              <ReadOnlyNotice {...await whoCanAct(await getTenant(scope))} />
            </>
          )}
          {admin && currentSetup ? (
            <SetupResult environmentId={environment.id} roleName={roleName} appName={appName} latest={currentSetup} />
          ) : null}
        </div>
      </section>

      {works ? (
        // Once the connection works, the instructions are reference: one click away, not in the way.
        <details className={cardClass("plain", "group")} data-testid="setup-instructions">
          <summary className="cursor-pointer font-semibold text-slate-900">
            How it is set up: “Set it up for me”, or by hand
          </summary>
          <div className="mt-4 space-y-8">{setupInstructions}</div>
        </details>
      ) : (
        setupInstructions
      )}

      <Card
        id="history"
        title="History"
        description={
          checks.length === 0
            ? undefined
            : checks.length === 1
              ? "Open it to see its steps."
              : `The latest ${count(checks.length, "check")}, newest first. Open one to see its steps.`
        }
      >
        {checks.length === 0 ? (
          <p className="text-sm text-slate-600">No check has run yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Check history">
            {checks.map((check) => (
              <li key={check.id} className="py-2">
                {/* Keyed by its outcome too: a check that ended since its steps were read is read again. */}
                <HistoryEntry key={`${check.id}:${check.outcome}`} checkId={check.id} roleName={roleName}>
                  <OutcomeBadge outcome={check.outcome} />
                  <LocalTime date={check.startedAt} />
                  <span className="text-slate-600">
                    {check.triggeredByName
                      ? `by ${check.triggeredByName}`
                      : check.trigger === "STAFF"
                        ? `by ${c.branding.vendorName} support`
                        : check.trigger === "SYSTEM"
                          ? "automatically"
                          : "by your organisation"}
                    {check.durationMs !== null ? ` · ${check.durationMs} ms` : ""}
                    {/* The step's label carries its own quotes (the role's name): no quotes around it. */}
                    {check.failingStep ? ` · failed at: ${customerStepLabel(check.failingStep, roleName)}` : ""}
                  </span>
                </HistoryEntry>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
