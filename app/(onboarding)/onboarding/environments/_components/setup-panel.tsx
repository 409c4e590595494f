import { startSetupAction } from "@/app/(onboarding)/onboarding/actions";
import { DEPTH_LABELS, type RequiredPrivilege } from "@/lib/checks/vocabulary";
import type { SetupDiagnosis } from "@/lib/data/delegated";
import type { SetupDecision } from "@/lib/dataverse/provisioning";
import { count } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button, buttonClass, type ButtonVariant } from "@/components/ui/button";
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
  SUCCEEDED: "Set up. The connection check now runs with the app's own identity.",
  FAILED: "The setup stopped.",
  NEEDS_DECISION: "The setup is waiting for your decision. Nothing was changed.",
};

/** The same run told once the connection has worked since: what happened then, not what to do now. */
const HISTORY_TEXT: Record<SetupView["outcome"], string> = {
  SUCCEEDED: "It set the environment up.",
  FAILED: "It stopped; the connection has worked since.",
  NEEDS_DECISION: "It waited for a decision and changed nothing; the connection has worked since.",
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

/** "Set it up for me" (or one of its decisions): a form that starts the delegated round trip at Microsoft. */
export function SetupButton({
  environmentId,
  approvals = [],
  label,
  variant = "primary",
}: {
  environmentId: string;
  approvals?: string[];
  label: string;
  variant?: ButtonVariant;
}) {
  return (
    <form action={startSetupAction}>
      <input type="hidden" name="environmentId" value={environmentId} />
      {approvals.map((a) => (
        <input key={a} type="hidden" name="approve" value={a} />
      ))}
      <Button type="submit" variant={variant}>
        {label}
      </Button>
    </form>
  );
}

/** What "Set it up for me" does, in the administrator's words. */
export function SetupExplanation({
  roleName,
  privileges,
  appName,
}: {
  roleName: string;
  privileges: RequiredPrivilege[];
  appName: string;
}) {
  return (
    <p className="text-sm text-slate-700">
      With your permission, given once for this environment, the portal creates the security role &ldquo;{roleName}
      &rdquo; with only the {count(privileges.length, "privilege")} {appName} needs, creates {appName}&rsquo;s
      application user in the root business unit and gives it that role — never System Administrator. Then it checks the
      connection with {appName}&rsquo;s own identity. Running it again changes nothing that is already right. Your
      permission serves this one setup and is not kept. You need to be a System Administrator of the environment.
    </p>
  );
}

/**
 * One "Set it up for me" run: each action with its result, why it stopped and who can fix that, or the decision it
 * waits for. `history`: the connection has worked since, so the run is told as the past, without alarms or buttons.
 */
export function SetupResult({
  environmentId,
  roleName,
  appName,
  latest,
  history = false,
}: {
  environmentId: string;
  roleName: string;
  appName: string;
  latest: SetupView;
  history?: boolean;
}) {
  const cause = latest.diagnosis?.cause;
  return (
    <section
      id={history ? undefined : "setup"}
      aria-label={history ? "Earlier setup" : "Latest setup"}
      aria-live={history ? undefined : "polite"}
      className={cardClass()}
    >
      <h3 className="font-semibold">
        {history ? "Earlier setup" : "Latest setup"}
        {latest.startedByName ? ` by ${latest.startedByName}` : ""}, <LocalTime date={latest.startedAt} />
      </h3>
      <p className="mt-1 text-sm text-slate-700" data-testid={history ? "earlier-setup-outcome" : "setup-outcome"}>
        {(history ? HISTORY_TEXT : OUTCOME_TEXT)[latest.outcome]}
      </p>
      {latest.steps.length > 0 ? (
        <ol className="mt-3 space-y-2" aria-label="Setup steps">
          {latest.steps.map((step, i) => {
            const style = RESULT_STYLES[step.result] ?? RESULT_STYLES.failed!;
            // The failed action's detail is the diagnosis' cause, shown once below; a decision's detail repeats "Nothing was changed".
            const detail =
              step.result === "failed" && step.detail === cause && !history
                ? "Stopped here; why and what to do are below."
                : step.result === "needs-decision"
                  ? step.detail.replace(/\s*Nothing was changed\.$/, "")
                  : step.detail;
            return (
              <li key={i} className="flex flex-col gap-1 text-sm sm:flex-row sm:items-start sm:gap-3">
                {/* Told as the past: where it stopped then, without today's alarm. */}
                <Badge tone={history && step.result === "failed" ? "neutral" : style.tone} className="w-fit shrink-0">
                  {history && step.result === "failed" ? "Stopped here" : style.label}
                </Badge>
                <span className="min-w-0 break-words">
                  <strong>{ACTION_LABELS[step.action] ?? step.action}:</strong> {detail}
                </span>
              </li>
            );
          })}
        </ol>
      ) : null}
      {latest.diagnosis && !history ? (
        <div role="alert" className={cardClass("danger", "mt-4 text-sm")}>
          <p className="font-semibold">{latest.diagnosis.cause}</p>
          <p className="mt-1">{latest.diagnosis.fix}</p>
          <p className="mt-1">
            Who can fix it: {latest.diagnosis.whoCanFix}.
            {latest.diagnosis.code ? ` Microsoft's code: ${latest.diagnosis.code}.` : ""}
          </p>
          <p className="mt-1">
            <a href="#manual" className="font-semibold underline">
              The manual steps
            </a>
          </p>
        </div>
      ) : null}
      {!history && latest.decision?.kind === "role-differs" ? (
        <div className={cardClass("warning", "mt-4 space-y-3 text-sm")}>
          <p className="font-semibold">
            A security role named &ldquo;{roleName}&rdquo; already exists with different privileges.
          </p>
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
      {!history && latest.decision?.kind === "user-disabled" ? (
        <div className={cardClass("warning", "mt-4 space-y-3 text-sm")}>
          <p className="font-semibold">
            {appName}&rsquo;s application user exists in this environment but is disabled.
          </p>
          <p>Someone may have disabled it on purpose. Enable it only if {appName} should connect again.</p>
          <SetupButton environmentId={environmentId} approvals={["enable-user"]} label="Enable it and continue" />
        </div>
      ) : null}
    </section>
  );
}
