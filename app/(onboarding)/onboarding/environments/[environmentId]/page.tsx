import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { count } from "@/components/format";
import { CheckSteps } from "@/components/onboarding/check-steps";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { Card } from "@/components/ui/card";
import { CopyField } from "@/components/ui/copy-field";
import { LocalTime } from "@/components/ui/local-time";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerStepLabel, describePrivilege, privilegeInRoleEditor } from "@/lib/checks/vocabulary";
import { listChecks, runningCheckId } from "@/lib/data/checks";
import { getSetup, listSetups } from "@/lib/data/delegated";
import { getEnvironment } from "@/lib/data/environments";
import { getTenant } from "@/lib/data/tenants";
import { customerScope } from "@/lib/data/scope";
import { CheckRunner } from "../_components/check-runner";
import { environmentName } from "../_components/environment-name";
import { SetupPanel, type SetupView } from "../_components/setup-panel";

export const metadata: Metadata = { title: "Environment" };

const DOCS = {
  securityRole: "https://learn.microsoft.com/power-platform/admin/create-edit-security-role",
  applicationUsers: "https://learn.microsoft.com/power-platform/admin/manage-application-users",
  assignRole: "https://learn.microsoft.com/power-platform/admin/assign-security-roles",
  pac: "https://learn.microsoft.com/power-platform/developer/cli/reference/admin#pac-admin-assign-user",
};

function DocLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <a className="text-brand-700 underline" href={href} target="_blank" rel="noreferrer">
      {children}
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}

export default async function EnvironmentPage({ params, searchParams }: { params: Promise<{ environmentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { environmentId } = await params;
  const { setup: setupParam } = await searchParams;
  const session = await requireCustomer(`/onboarding/environments/${encodeURIComponent(environmentId)}`);
  const scope = customerScope(session);
  const environment = await getEnvironment(scope, environmentId);
  // Another tenant's environment is indistinguishable from one that does not exist.
  if (!environment) notFound();
  const [checks, running, setups] = await Promise.all([listChecks(scope, environment.id), runningCheckId(scope, environment.id), listSetups(scope, environment.id, 1)]);
  const shown = typeof setupParam === "string" ? await getSetup(scope, setupParam) : null;
  const latestSetup = (shown && shown.environmentId === environment.id ? shown : setups[0]) ?? null;
  const setupView: SetupView | null = latestSetup
    ? {
        id: latestSetup.id,
        startedAt: latestSetup.startedAt,
        startedByName: latestSetup.startedByName,
        outcome: latestSetup.outcome,
        steps: latestSetup.steps as SetupView["steps"],
        diagnosis: latestSetup.diagnosis as SetupView["diagnosis"],
        decision: latestSetup.decision as SetupView["decision"],
      }
    : null;
  const c = config();
  const { appName } = c.branding;
  const { roleName, rolePrivileges } = c.dataverse;
  const appId = c.entra.clientId ?? "";
  const pac = `pac admin assign-user --environment ${environment.url} --user ${appId} --role "${roleName}" --application-user`;
  // The demo links its emulated admin center; a real deployment links Microsoft's.
  const adminCenter = c.demoAdminCenterUrl ?? "https://admin.powerplatform.microsoft.com/environments";

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold break-words text-slate-900">{environmentName(environment)}</h1>
        <p className="mt-1 font-mono text-sm break-all text-slate-600">{environment.url}</p>
        <p className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-600">
          <span className="flex items-center gap-2">
            Latest check: <OutcomeBadge outcome={environment.latestCheckOutcome} />
          </span>
          <span>
            Registered <LocalTime date={environment.createdAt} />
            {environment.registeredByName ? ` by ${environment.registeredByName}` : ""}
          </span>
        </p>
      </div>

      <Card id="setup" title="Set it up for me">
        {session.tenantAdmin ? (
          <SetupPanel environmentId={environment.id} roleName={roleName} privileges={rolePrivileges} appName={appName} latest={setupView} />
        ) : (
          // The read-only notice (who can act) is shown once, with the connection check below.
          <p className="text-sm text-slate-600">Your organisation&rsquo;s administrators can create the role and the application user here in one step.</p>
        )}
      </Card>

      <Card
        id="manual"
        headingId="appuser-heading"
        title="Or set it up by hand"
        description={
          <>
            A System Administrator of this environment creates the &ldquo;{roleName}&rdquo; security role, adds {appName} as an application user — an unlicensed,
            non-interactive identity — and gives it only that role.
          </>
        }
      >
        <div className="max-w-xl">
          <CopyField label="Application (client) ID" value={appId} />
        </div>
        <h3 className="mt-6 font-semibold">1. Create the security role</h3>
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
          <li>
            Open the{" "}
            <DocLink href={adminCenter}>{c.demoAdminCenterUrl ? "Power Platform admin center (emulated in this demo)" : "Power Platform admin center"}</DocLink> →{" "}
            <strong>Environments</strong> → this environment → <strong>Settings</strong> → <strong>Users + permissions</strong> → <strong>Security roles</strong> →{" "}
            <strong>New role</strong>, named &ldquo;{roleName}&rdquo;, in the root business unit (<DocLink href={DOCS.securityRole}>Microsoft: create or edit a security role</DocLink>).
          </li>
          <li>For each table below, set the access to the level shown, and nothing else, then save.</li>
        </ol>
        <div className="mt-3">
          <Table label="Privileges the role must grant">
            <THead>
              <Tr>
                <Th>Table</Th>
                <Th>Access</Th>
                <Th>Level</Th>
              </Tr>
            </THead>
            <TBody>
              {rolePrivileges.map((p) => {
                const row = privilegeInRoleEditor(p);
                return (
                  <Tr key={p.name}>
                    <Td label="Table">{row.table}</Td>
                    <Td label="Access">{row.access}</Td>
                    <Td label="Level">
                      {row.level} <code className="text-xs text-slate-600">{p.name}</code>
                    </Td>
                  </Tr>
                );
              })}
            </TBody>
          </Table>
        </div>
        <h3 className="mt-6 font-semibold">2. Create the application user</h3>
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
          <li>
            <strong>Settings</strong> → <strong>Users + permissions</strong> → <strong>Application users</strong> → <strong>New app user</strong> (
            <DocLink href={DOCS.applicationUsers}>Microsoft: manage application users</DocLink>).
          </li>
          <li>
            <strong>Add an app</strong>: search for {appName} or paste the Application ID above. Business unit: the root business unit.
          </li>
        </ol>
        <h3 className="mt-6 font-semibold">3. Give it the role</h3>
        <p className="mt-2 text-sm text-slate-700">
          <strong>Security roles</strong>: select &ldquo;{roleName}&rdquo; only → <strong>Create</strong> (<DocLink href={DOCS.assignRole}>Microsoft: assign a security role</DocLink>).
        </p>
        <h3 className="mt-6 font-semibold">Or steps 2 and 3 with the Power Platform CLI</h3>
        <div className="mt-2">
          <CopyField label="pac command" value={pac} multiline />
        </div>
        <p className="mt-1 text-xs text-slate-600">
          <DocLink href={DOCS.pac}>Microsoft: pac admin assign-user</DocLink>. The role must exist first (step 1).
        </p>
        <h3 className="mt-6 font-semibold">Why this role, and not System Administrator</h3>
        <p className="mt-2 text-sm text-slate-700">
          &ldquo;{roleName}&rdquo; grants exactly what {appName} uses: {rolePrivileges.map(describePrivilege).join(", ")}. System Administrator would let the app read and
          change everything in the environment, including security settings; it is neither needed nor wanted, and the check warns when the app holds it.
        </p>
      </Card>

      <Card id="check" title="Connection check" description={`The portal connects from its servers exactly as ${appName} will, and reports each step.`}>
        {session.tenantAdmin ? (
          <CheckRunner environmentId={environment.id} roleName={roleName} runningCheckId={running ?? latestSetup?.checkId ?? null} />
        ) : (
          <ReadOnlyNotice {...await whoCanAct(await getTenant(scope))} />
        )}
      </Card>

      <Card id="history" title="History" description={
          checks.length === 0 ? undefined : checks.length === 1 ? "Open it to see its steps." : `The latest ${count(checks.length, "check")}, newest first. Open one to see its steps.`
        }>
        {checks.length === 0 ? (
          <p className="text-sm text-slate-600">No check has run yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Check history">
            {checks.map((check) => (
              <li key={check.id} className="py-2">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
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
                      {check.failingStep ? ` · failed at “${customerStepLabel(check.failingStep, roleName)}”` : ""}
                    </span>
                  </summary>
                  <CheckSteps steps={check.steps} roleName={roleName} />
                </details>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
