import { startSetupAction } from "@/app/(onboarding)/onboarding/actions";
import { DEPTH_LABELS, type RequiredPrivilege } from "@/lib/checks/vocabulary";
import type { SetupDiagnosis } from "@/lib/data/delegated";
import type { SetupDecision } from "@/lib/dataverse/provisioning";
import { count } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button, buttonClass } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";

export type SetupView = {
  id: string;
  startedAt: Date;
  startedByName: string | null;
  outcome: "SUCCEEDED" | "FAILED" | "NEEDS_DECISION";
  steps: { action: string; result: string; detail: string }[];
  diagnosis: SetupDiagnosis | null;
  decision: SetupDecision | null;
};

const ACTION_LABELS: Record<string, string> = {
  role: "Security role",
  privileges: "Its privileges",
  "application-user": "Application user",
  assignment: "Role assignment",
};

const RESULT_STYLES: Record<string, { label: string; tone: BadgeTone }> = {
  created: { label: "Created", tone: "success" },
  changed: { label: "Changed", tone: "success" },
  unchanged: { label: "Already in place", tone: "neutral" },
  "needs-decision": { label: "Your decision", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

const OUTCOME_TEXT: Record<SetupView["outcome"], string> = {
  SUCCEEDED: "Set up. The connection check below now runs with the app's own identity.",
  FAILED: "The setup stopped.",
  NEEDS_DECISION: "The setup is waiting for your decision. Nothing was changed.",
};

function privilegeList(items: RequiredPrivilege[], label: string) {
  return (
    <ul aria-label={label} className="mt-1 list-disc pl-5">
      {items.map((p) => (
        <li key={p.name}>
          <code>{p.name}</code> — {DEPTH_LABELS[p.depth]} level
        </li>
      ))}
    </ul>
  );
}

function SetupButton({ environmentId, approvals, label, primary = true }: { environmentId: string; approvals: string[]; label: string; primary?: boolean }) {
  return (
    <form action={startSetupAction}>
      <input type="hidden" name="environmentId" value={environmentId} />
      {approvals.map((a) => (
        <input key={a} type="hidden" name="approve" value={a} />
      ))}
      <Button type="submit" variant={primary ? "primary" : "secondary"}>
        {label}
      </Button>
    </form>
  );
}

/**
 * "Set it up for me": what it will do, the button, and the latest run — each action with its result, why it
 * stopped and who can fix that, or the decision it waits for.
 */
export function SetupPanel({ environmentId, roleName, privileges, appName, latest }: { environmentId: string; roleName: string; privileges: RequiredPrivilege[]; appName: string; latest: SetupView | null }) {
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-700">
        With your permission, given once for this environment, the portal creates the security role &ldquo;{roleName}&rdquo; with only the {count(privileges.length, "privilege")}{" "}
        {appName} needs, creates {appName}&rsquo;s application user in the root business unit and gives it that role — never System Administrator.
        Then it checks the connection with {appName}&rsquo;s own identity. Running it again changes nothing that is already right. Your permission serves this one
        setup and is not kept. You need to be a System Administrator of the environment.
      </p>
      <SetupButton environmentId={environmentId} approvals={[]} label={latest ? "Set it up for me again" : "Set it up for me"} />
      {latest ? (
        <section aria-label="Latest setup" aria-live="polite" className={cardClass()}>
          <h3 className="font-semibold">
            Latest setup{latest.startedByName ? ` by ${latest.startedByName}` : ""}, <LocalTime date={latest.startedAt} />
          </h3>
          <p className="mt-1 text-sm text-slate-700" data-testid="setup-outcome">
            {OUTCOME_TEXT[latest.outcome]}
          </p>
          {latest.steps.length > 0 ? (
            <ol className="mt-3 space-y-2" aria-label="Setup steps">
              {latest.steps.map((step, i) => {
                const style = RESULT_STYLES[step.result] ?? RESULT_STYLES.failed!;
                return (
                  <li key={i} className="flex flex-col gap-1 text-sm sm:flex-row sm:items-start sm:gap-3">
                    <Badge tone={style.tone} className="w-fit shrink-0">
                      {style.label}
                    </Badge>
                    <span className="min-w-0 break-words">
                      <strong>{ACTION_LABELS[step.action] ?? step.action}:</strong> {step.detail}
                    </span>
                  </li>
                );
              })}
            </ol>
          ) : null}
          {latest.diagnosis ? (
            <div role="alert" className={cardClass("danger", "mt-4 text-sm")}>
              <p className="font-semibold">{latest.diagnosis.cause}</p>
              <p className="mt-1">{latest.diagnosis.fix}</p>
              <p className="mt-1">
                Who can fix it: {latest.diagnosis.whoCanFix}.{latest.diagnosis.code ? ` Microsoft's code: ${latest.diagnosis.code}.` : ""}
              </p>
              <p className="mt-1">
                <a href="#manual" className="font-semibold underline">
                  The manual steps
                </a>
              </p>
            </div>
          ) : null}
          {latest.decision?.kind === "role-differs" ? (
            <div className={cardClass("warning", "mt-4 space-y-3 text-sm")}>
              <p className="font-semibold">A security role named &ldquo;{roleName}&rdquo; already exists with different privileges.</p>
              {latest.decision.missing.length > 0 ? (
                <div>
                  <p>It lacks (or grants at too low a level):</p>
                  {privilegeList(latest.decision.missing, "Privileges the role lacks")}
                </div>
              ) : null}
              {latest.decision.extra.length > 0 ? (
                <div>
                  <p>It grants beyond what {appName} needs (or at a higher level):</p>
                  {privilegeList(latest.decision.extra, "Privileges beyond what is needed")}
                </div>
              ) : null}
              <p>Someone may rely on it. Change it only if it exists for {appName}.</p>
              <div className="flex flex-wrap gap-3">
                <SetupButton environmentId={environmentId} approvals={["change-role"]} label="Change the role to match" />
                <a href="#manual" className={buttonClass("secondary")}>
                  Leave it, I will do it by hand
                </a>
              </div>
            </div>
          ) : null}
          {latest.decision?.kind === "user-disabled" ? (
            <div className={cardClass("warning", "mt-4 space-y-3 text-sm")}>
              <p className="font-semibold">{appName}&rsquo;s application user exists in this environment but is disabled.</p>
              <p>Someone may have disabled it on purpose. Enable it only if {appName} should connect again.</p>
              <SetupButton environmentId={environmentId} approvals={["enable-user"]} label="Enable it and continue" />
            </div>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
