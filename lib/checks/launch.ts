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

export type ScheduledLaunch =
  { ran: false; reason: "running" | "gone" } | { ran: true; checkId: string; outcome: CheckOutcome };

/** How a person's check is launched: answered at once and run after the answer, or run here to its end. */
type How = { kind: "background" } | { kind: "inline" };

/**
 * Starts a check. A person's check (CUSTOMER, STAFF, SYSTEM): returns its id at once, the steps run after the
 * answer is sent and the page follows them through the progress route; a check already running for the
 * environment is returned instead of a second one. SCHEDULED, with the environment's id and its attempt: runs it
 * here (its start reads the URL, or finds the environment gone), interruptible
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
  environmentId: string,
  trigger: "SCHEDULED",
  attempt: ScheduledAttempt,
): Promise<ScheduledLaunch>;
export async function launchCheck(
  scope: TenantScope,
  target: CheckTarget | string,
  trigger: CheckTrigger,
  attempt?: ScheduledAttempt,
): Promise<string | ScheduledLaunch> {
  if (trigger === "SCHEDULED") {
    // A scheduled check knows only its environment's id: its start reads the URL (or finds it gone).
    if (!attempt || typeof target !== "string") throw new Error("a scheduled check is launched with its attempt");
    return scheduled(scope, target, attempt);
  }
  if (typeof target === "string") throw new Error("a person's check is launched with its target");
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

type Launched = { ran: true; checkId: string; outcome: CheckOutcome } | { checkId: string };

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
  // A check already running for the environment is returned instead of a second one (checks abandoned by a
  // stopped process are closed first: lib/data/checks.ts startCheck).
  const start = await startCheck(scope, target.environmentId, trigger, first, "unless-running");
  if (!start.started) {
    if (start.reason === "gone") throw new Error(`The environment ${target.environmentId} is not there.`);
    return { checkId: start.runningCheckId };
  }
  after(() => executeCheck(scope, target, start.checkId, { trigger, start }));
  return { checkId: start.checkId };
}

/** A scheduled attempt (see launchCheck), run here to its end. */
async function scheduled(
  scope: TenantScope,
  environmentId: string,
  attempt: ScheduledAttempt,
): Promise<ScheduledLaunch> {
  const first = STEPS[0]!.name;
  // A later attempt of this run: the check an earlier attempt started (its row may exist even if the answer to
  // its INSERT was lost with the connection).
  attempt.checkId ??=
    attempt.tries > 1 ? ((await interruptedCheckId(scope, environmentId, attempt.since)) ?? undefined) : undefined;
  let checkId = attempt.checkId;
  let started: CheckStart | undefined;
  let environmentUrl: string;
  if (checkId) {
    const restart = await restartCheck(scope, checkId, first, "the portal's database was unavailable during the check");
    if (!restart.restarted)
      return "gone" in restart ? { ran: false, reason: "gone" } : { ran: true, checkId, outcome: restart.outcome };
    environmentUrl = restart.environmentUrl;
  } else {
    // A check already running (the customer's or staff's) is this interval's check too.
    const start = await startCheck(scope, environmentId, "SCHEDULED", first, "unless-running");
    if (!start.started) return { ran: false, reason: start.reason };
    started = start;
    checkId = attempt.checkId = start.checkId;
    environmentUrl = start.facts.environment.url;
  }
  return {
    ran: true,
    checkId,
    outcome: await executeCheck(scope, { environmentId, environmentUrl }, checkId, {
      interruptible: true,
      trigger: "SCHEDULED",
      start: started,
    }),
  };
}
