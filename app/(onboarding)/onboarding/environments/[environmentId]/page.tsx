import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CheckRunner } from "@/components/onboarding/check-runner";
import { CheckSteps } from "@/components/onboarding/check-steps";
import { ReadOnlyNotice } from "@/components/onboarding/read-only-notice";
import { whoCanAct } from "@/lib/onboarding/administrators";
import { CopyField } from "@/components/ui/copy-field";
import { OutcomeBadge } from "@/components/ui/outcome-badge";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { customerStepLabel, DEPTH_LABELS, describePrivilege } from "@/lib/checks/vocabulary";
import { listChecks, runningCheckId } from "@/lib/data/checks";
import { getEnvironment } from "@/lib/data/environments";
import { getTenant } from "@/lib/data/tenants";
import { customerScope } from "@/lib/data/scope";
import { possessive } from "@/lib/text";

export const metadata: Metadata = { title: "Environment" };

export default async function EnvironmentPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const session = await requireCustomer(`/onboarding/environments/${encodeURIComponent(environmentId)}`);
  const scope = customerScope(session);
  const environment = await getEnvironment(scope, environmentId);
  // Another tenant's environment is indistinguishable from one that does not exist.
  if (!environment) notFound();
  const [checks, running] = await Promise.all([listChecks(scope, environment.id), runningCheckId(scope, environment.id)]);
  const c = config();
  const { appName } = c.branding;
  const { roleName, rolePrivileges } = c.dataverse;
  const appId = c.entra.clientId ?? "";
  const pac = `pac admin assign-user --environment ${environment.url} --user ${appId} --role "${roleName}" --application-user`;

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold text-slate-900">{environment.friendlyName ?? "Environment"}</h1>
        <p className="mt-1 font-mono text-sm text-slate-600">{environment.url}</p>
      </div>

      <section aria-labelledby="appuser-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="appuser-heading" className="text-lg font-semibold">
          Create the application user
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          A System Administrator of this environment adds {appName} as an application user — an unlicensed, non-interactive identity — and gives it
          only the &ldquo;{roleName}&rdquo; security role.
        </p>
        <div className="mt-4 max-w-xl">
          <CopyField label="Application (client) ID" value={appId} />
        </div>
        <h3 className="mt-6 font-semibold">In the Power Platform admin center</h3>
        <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
          <li>
            Open the{" "}
            <a className="text-brand-700 underline" href="https://admin.powerplatform.microsoft.com/environments" target="_blank" rel="noreferrer">
              Power Platform admin center
            </a>{" "}
            → <strong>Environments</strong> → this environment.
          </li>
          <li>
            <strong>Settings</strong> → <strong>Users + permissions</strong> → <strong>Application users</strong> → <strong>New app user</strong>.
          </li>
          <li>
            <strong>Add an app</strong>: search for {appName} or paste the Application ID above. Business unit: the root business unit.
          </li>
          <li>
            <strong>Security roles</strong>: select &ldquo;{roleName}&rdquo; only → <strong>Create</strong>.
          </li>
        </ol>
        <h3 className="mt-6 font-semibold">What &ldquo;{roleName}&rdquo; must grant</h3>
        <p className="mt-1 text-sm text-slate-600">
          If you create or edit the role yourself (Settings → Users + permissions → Security roles), give it exactly these privileges. The check
          reads the app&rsquo;s own user and roles, so it needs the first two as well.
        </p>
        <ul className="mt-2 list-disc space-y-0.5 pl-5 text-sm text-slate-700" aria-label="Privileges the role must grant">
          {[...rolePrivileges].sort((a, b) => Number(b.depth !== "Global") - Number(a.depth !== "Global")).map((p) => (
            <li key={p.name}>
              <code>{p.name}</code> — {DEPTH_LABELS[p.depth]} level
            </li>
          ))}
        </ul>
        <h3 className="mt-6 font-semibold">Or with the Power Platform CLI</h3>
        <div className="mt-2">
          <CopyField label="pac command" value={pac} multiline />
        </div>
        <h3 className="mt-6 font-semibold">Why this role, and not System Administrator</h3>
        <p className="mt-2 text-sm text-slate-700">
          &ldquo;{roleName}&rdquo; grants exactly what {appName} uses: {rolePrivileges.map(describePrivilege).join(", ")}. System Administrator would let the app read and change
          everything in the environment, including security settings; it is neither needed nor wanted, and the check warns when the app holds it. If the
          role does not exist yet, import {possessive(c.branding.vendorName)} solution, which contains it.
        </p>
      </section>

      <section aria-labelledby="check-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="check-heading" className="text-lg font-semibold">
          Connection check
        </h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">The portal connects from its servers exactly as {appName} will, and reports each step.</p>
        {session.tenantAdmin ? (
          <CheckRunner environmentId={environment.id} roleName={roleName} runningCheckId={running} />
        ) : (
          <ReadOnlyNotice {...await whoCanAct(await getTenant(scope))} />
        )}
      </section>

      <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        {checks.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No check has run yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100" aria-label="Check history">
            {checks.map((check) => (
              <li key={check.id} className="py-2">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
                    <OutcomeBadge outcome={check.outcome} />
                    <time dateTime={check.startedAt.toISOString()}>{check.startedAt.toUTCString()}</time>
                    <span className="text-slate-500">
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
      </section>
    </div>
  );
}
