import "server-only";

// The one way a check starts, whoever asks: the customer's page, the console's re-run, the end of the
// application-user setup (answered at once, run after the answer), the scheduled re-verification (run here,
// interruptible by the portal's own database, begun again on its own row), and scripts and tests (run here).
// Then ./run.ts runs it and ./finish.ts ends it.
import { after } from "next/server";
import { CheckInterrupted, executeCheck, type CheckStart, type CheckTarget } from "@/lib/checks/run";
import { STEPS } from "@/lib/checks/steps";
import { createCheck, interruptedCheckId, restartCheck, startCheck } from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";
import type { CheckOutcome, CheckTrigger } from "@/lib/generated/prisma/client";

export { CheckInterrupted, type CheckTarget };

/**
 * One scheduled run of a check, kept across its attempts: when the database fails mid-run, the next attempt finds
 * the check this run started (`checkId`, or a SCHEDULED check still RUNNING that started after `since`) and begins
 * that one again, so a scheduled run makes exactly one check whatever the database did.
 */
export type ScheduledAttempt = {
  since: Date;
  checkId?: string;
  /** Counted by the caller, the first attempt included. */ tries: number;
};

export type ScheduledLaunch = { ran: false; reason: "running" } | { ran: true; checkId: string; outcome: CheckOutcome };

/** How a check is launched: answered at once and run after the answer, run here to its end, or a scheduled attempt. */
type How = { kind: "background" } | { kind: "inline" } | { kind: "scheduled"; attempt: ScheduledAttempt };

/**
 * Starts a check. A person's check (CUSTOMER, STAFF, SYSTEM): returns its id at once, the steps run after the
 * answer is sent and the page follows them through the progress route; a check already running for the
 * environment is returned instead of a second one. SCHEDULED, with its attempt: runs it here, interruptible
 * (lib/recheck/index.ts waits for the database and calls again with the same attempt); a check already
 * running is this interval's check too.
 */
export function launchCheck(
  scope: TenantScope,
  target: CheckTarget,
  trigger: Exclude<CheckTrigger, "SCHEDULED">,
): Promise<string>;
export function launchCheck(
  scope: TenantScope,
  target: CheckTarget,
  trigger: "SCHEDULED",
  attempt: ScheduledAttempt,
): Promise<ScheduledLaunch>;
export async function launchCheck(
  scope: TenantScope,
  target: CheckTarget,
  trigger: CheckTrigger,
  attempt?: ScheduledAttempt,
): Promise<string | ScheduledLaunch> {
  if (trigger === "SCHEDULED") {
    if (!attempt) throw new Error("a scheduled check is launched with its attempt");
    return launch(scope, target, trigger, { kind: "scheduled", attempt }) as Promise<ScheduledLaunch>;
  }
  return ((await launch(scope, target, trigger, { kind: "background" })) as { checkId: string }).checkId;
}

/** Starts and runs a check to its end, beside any other (scripts, tests, the benchmark). */
export async function runCheck(
  scope: TenantScope,
  target: CheckTarget,
  trigger: CheckTrigger,
): Promise<{ checkId: string; outcome: CheckOutcome }> {
  const launched = await launch(scope, target, trigger, { kind: "inline" });
  if (!("outcome" in launched)) throw new Error("an inline check always runs");
  return launched;
}

type Launched =
  { ran: false; reason: "running" } | { ran: true; checkId: string; outcome: CheckOutcome } | { checkId: string };

async function launch(scope: TenantScope, target: CheckTarget, trigger: CheckTrigger, how: How): Promise<Launched> {
  const first = STEPS[0]!.name;
  if (how.kind === "inline") {
    const start = await createCheck(scope, target.environmentId, trigger, first);
    return {
      ran: true,
      checkId: start.checkId,
      outcome: await executeCheck(scope, target, start.checkId, { trigger, start }),
    };
  }
  if (how.kind === "background") {
    // A check already running for the environment is returned instead of a second one (checks abandoned by a
    // stopped process are closed first: lib/data/checks.ts startCheck).
    const start = await startCheck(scope, target.environmentId, trigger, first, "unless-running");
    if (!start.started) return { checkId: start.runningCheckId };
    after(() => executeCheck(scope, target, start.checkId, { trigger, start }));
    return { checkId: start.checkId };
  }
  const { attempt } = how;
  // A later attempt of this run: the check an earlier attempt started (its row may exist even if the answer to
  // its INSERT was lost with the connection).
  attempt.checkId ??=
    attempt.tries > 1
      ? ((await interruptedCheckId(scope, target.environmentId, attempt.since)) ?? undefined)
      : undefined;
  let checkId = attempt.checkId;
  let started: CheckStart | undefined;
  if (checkId) {
    const restart = await restartCheck(scope, checkId, first, "the portal's database was unavailable during the check");
    if (!restart.restarted) return { ran: true, checkId, outcome: restart.outcome };
  } else {
    // A check already running (the customer's or staff's) is this interval's check too.
    const start = await startCheck(scope, target.environmentId, trigger, first, "unless-running");
    if (!start.started) return { ran: false, reason: "running" };
    started = start;
    checkId = attempt.checkId = start.checkId;
  }
  return {
    ran: true,
    checkId,
    outcome: await executeCheck(scope, target, checkId, { interruptible: true, trigger, start: started }),
  };
}
