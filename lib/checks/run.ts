import "server-only";

// Runs the live connection check, server-side, exactly as the vendor's back end will call Dataverse:
//   token   client-credentials token for the environment's tenant (MSAL, one client per tenant; cached)
//   consent for a tenant whose admin consent was proven: a FRESH token of the app for itself (never cached), sent
//           beside the first Dataverse round trip, not before it: a cached token hides removed consent
//           (lib/entra/consent-proof.ts), and this adds a request but no sequential round trip
//   warm    the application user is known from the last passing check: WhoAmI, that user with its roles,
//           RetrieveUserPrivileges and the sample read in ONE $batch (a second only if WhoAmI names
//           another user)
//   cold    WhoAmI, then the user, its privileges and the sample read in one $batch
// Every round trip settles the steps it can (lib/checks/steps.ts) and writes them in one transaction. One loop
// in try/finally: every check ends PASSED, WARNING or FAILED, whatever throws.
import { logger } from "@/lib/log";
import { unexpected } from "@/lib/checks/diagnoses";
import { storedStepResult, storedVendorDetail } from "@/lib/checks/step-results";
import {
  blockingStep,
  PENDING,
  STEPS,
  vendorDetailOf,
  type StepContext,
  type Accounts,
  type CheckFacts,
  type Fetched,
  type StepVerdict,
  type SystemUser,
  type UserPrivileges,
  type WhoAmI,
} from "@/lib/checks/steps";
import { skipReason, stepOrdinal, type CheckStepName } from "@/lib/checks/vocabulary";
import { config } from "@/lib/config";
import { finishCheck } from "@/lib/checks/finish";
import {
  checkPrerequisites,
  recordSteps,
  type CheckPrerequisites,
  type StartFacts,
  type StepRecord,
} from "@/lib/data/checks";

/** What the statement that started the check read (lib/data/checks.ts startCheck), when it was just started. */
export type CheckStart = { prerequisites: CheckPrerequisites; facts: StartFacts };
import type { TenantScope } from "@/lib/data/scope";
import { batchGet, DataverseError, getJson, type BatchAnswer } from "@/lib/dataverse/web-api";
import { proveConsent, type ConsentProof } from "@/lib/entra/consent-proof";
import { dataverseAppToken } from "@/lib/entra/msal";
import { capturedEntraError, withEntraErrorCapture } from "@/lib/entra/token-errors";
import { withRequestMeter } from "@/lib/http/outbound";
import { observeCheck, observeStep, recordCheckEnd } from "@/lib/observability/checks";
import type { CheckOutcome, CheckTrigger } from "@/lib/generated/prisma/client";

export type CheckTarget = { environmentId: string; environmentUrl: string };

/** Longest Retry-After the check waits for before it reports throttling instead (keeps a check interactive). */
const MAX_RETRY_AFTER_SECONDS = 20;
const MAX_THROTTLE_RETRIES = 2;

const USER_QUERY =
  "?$select=systemuserid,fullname,applicationid,isdisabled,accessmode&$expand=systemuserroles_association($select=roleid,name)";
const SAMPLE_READ = "accounts?$select=name&$orderby=name%20asc&$top=3";

/**
 * The portal's own database failed under a check (a restart, a lost connection): the check proved nothing about
 * the customer's connection. Thrown by executeCheck only when asked (`interruptible`): the scheduled worker then
 * begins the same check again once the database answers (lib/recheck/index.ts), instead of recording a
 * failure that is ours.
 */
export class CheckInterrupted extends Error {
  constructor(
    readonly checkId: string,
    cause: unknown,
  ) {
    super(
      `The check ${checkId} was interrupted: the portal's database did not answer (${cause instanceof Error ? cause.message : String(cause)}).`,
      { cause },
    );
  }
}

/** One check in progress: the facts gathered, the steps settled, and what is still to be written. */
class CheckRun {
  /** The first error of a write to the database, if one failed. */
  databaseError: unknown = undefined;
  readonly facts: CheckFacts = {};
  readonly settled: Array<{ name: CheckStepName; verdict: StepVerdict }> = [];
  /** Every step settled, written or not: the check's end decides from them (lib/checks/finish.ts). */
  readonly steps: StepRecord[] = [];
  /** How many of `steps` are written. */
  private written = 0;
  private lastSettledAt = performance.now();
  /** Retry-After waits not yet reported on a step: shown on the next step settled. */
  private waits: number[] = [];

  constructor(
    private readonly scope: TenantScope,
    private readonly checkId: string,
    private readonly ctx: Omit<StepContext, "blockedBy">,
  ) {}

  /** Settles every step whose facts have arrived; writes them (and the next step) unless `defer`. */
  async settle(options: { defer?: boolean } = {}): Promise<void> {
    for (const step of STEPS.slice(this.settled.length)) {
      const verdict = step.evaluate(this.facts, { ...this.ctx, blockedBy: blockingStep(this.settled) });
      if (verdict === PENDING) break;
      this.add(step.name, verdict);
    }
    if (!options.defer) await this.flush();
  }

  /** Marks the first unsettled step FAILED with the portal's own error and skips the rest. */
  failUnexpected(error: unknown): void {
    const rest = STEPS.slice(this.settled.length);
    const [current, ...later] = rest;
    if (!current) return;
    this.add(current.name, { outcome: "FAILED", diagnosis: unexpected(this.ctx), vendorDetail: vendorDetailOf(error) });
    for (const step of later) this.add(step.name, { outcome: "SKIPPED", result: { reason: skipReason("unexpected") } });
  }

  noteWait(seconds: number): void {
    this.waits.push(seconds);
  }

  nextStep(): CheckStepName | null {
    return STEPS[this.settled.length]?.name ?? null;
  }

  /** Steps settled but not yet written (the last round trip's are written with the check's end). */
  takeUnsaved(): StepRecord[] {
    const steps = this.steps.slice(this.written);
    this.written = this.steps.length;
    return steps;
  }

  async flush(waitingUntil: Date | null = null): Promise<void> {
    const steps = this.steps.slice(this.written);
    try {
      await recordSteps(this.scope, this.checkId, steps, { currentStep: this.nextStep(), waitingUntil });
    } catch (error) {
      this.databaseError ??= error;
      throw error;
    }
    // Only once written: a failed write leaves them for the final flush.
    this.written += steps.length;
  }

  private add(name: CheckStepName, verdict: StepVerdict): void {
    const now = performance.now();
    // Parsed before anything is settled: a shape the step should never write fails this step as unexpected.
    const waited = this.waits.length ? { ...verdict.result, throttledWaitsSeconds: this.waits } : verdict.result;
    const result = waited ? storedStepResult(name, waited) : undefined;
    const vendorDetail = verdict.vendorDetail ? storedVendorDetail(name, verdict.vendorDetail) : undefined;
    this.waits = [];
    this.settled.push({ name, verdict });
    observeStep(name, verdict, verdict.outcome === "SKIPPED" ? now : this.lastSettledAt, now);
    const d = verdict.diagnosis;
    const record: StepRecord = {
      ordinal: stepOrdinal(name),
      name,
      outcome: verdict.outcome,
      // The round trip's time goes to the first step it settled; the others were settled by the same answer.
      durationMs: verdict.outcome === "SKIPPED" ? 0 : Math.round(now - this.lastSettledAt),
      ...(d
        ? {
            errorCode: d.microsoftCode,
            diagnosis: d.id,
            customerCause: d.cause,
            customerFix: d.fix,
            vendorFault: d.vendorFault,
          }
        : {}),
      ...(vendorDetail ? { vendorDetail } : {}),
      ...(result ? { result } : {}),
    };
    this.steps.push(record);
    if (verdict.outcome !== "SKIPPED") this.lastSettledAt = now;
  }

  outcome(): CheckOutcome {
    if (this.settled.some((s) => s.verdict.outcome === "FAILED")) return "FAILED";
    return this.settled.some((s) => s.verdict.outcome === "WARNING") ? "WARNING" : "PASSED";
  }

  failingStep(): string | null {
    return blockingStep(this.settled);
  }
}

async function capture<T>(call: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Calls Dataverse, honouring Retry-After on 429 (service protection) a bounded number of times, visibly. */
async function withThrottleRetry<T>(run: CheckRun, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof DataverseError) || error.status !== 429 || attempt >= MAX_THROTTLE_RETRIES) throw error;
      const seconds = error.retryAfterSeconds ?? 1;
      if (seconds > MAX_RETRY_AFTER_SECONDS) throw error;
      run.noteWait(seconds);
      await run.flush(new Date(Date.now() + seconds * 1000));
      await new Promise((r) => setTimeout(r, seconds * 1000));
    }
  }
}

/** A part of a batch answer as a fact: its body, or its error (or the whole batch's, when it failed). */
function partOf<T>(answer: Fetched<BatchAnswer>, index: number): Fetched<T> {
  if (!answer.ok) return answer;
  const part = answer.value.parts[index];
  if (!part)
    return {
      ok: false,
      error: new DataverseError(
        answer.value.status,
        null,
        "Dataverse stopped the batch before this request",
        null,
        null,
      ),
    };
  return part.error ? { ok: false, error: part.error } : { ok: true, value: part.body as T };
}

/** Gathers every fact: the Dataverse round trips, and beside them the consent proof, awaited last. */
async function gather(
  run: CheckRun,
  scope: TenantScope,
  target: CheckTarget,
  prerequisites: Promise<CheckPrerequisites>,
): Promise<void> {
  const proof: Promise<ConsentProof | null> = prerequisites.then((p) =>
    p.consentProven && config().entra.tenancy === "multi" ? proveConsent(scope.tenantId) : null,
  );
  // Known as soon as it arrives: a later round trip's settle uses it.
  void proof.then((p) => {
    run.facts.consent ??= p;
  });
  try {
    await gatherFromDataverse(
      run,
      scope,
      target,
      prerequisites.then((p) => p.applicationUserId),
    );
  } finally {
    run.facts.consent ??= await proof;
  }
  return run.settle({ defer: true });
}

async function gatherFromDataverse(
  run: CheckRun,
  scope: TenantScope,
  target: CheckTarget,
  remembered: Promise<string | null>,
): Promise<void> {
  const token = await withEntraErrorCapture(async () => {
    try {
      const value = await dataverseAppToken(scope.tenantId, target.environmentUrl);
      return { ok: true as const, value };
    } catch (error) {
      return { ok: false as const, error, entra: capturedEntraError() };
    }
  });
  if (!token.ok) {
    run.facts.token = token;
    return run.settle({ defer: true });
  }
  run.facts.token = { ok: true, value: { fromCache: token.value.fromCache } };
  // A cached token took no time worth showing: its step is written with the first round trip's.
  await run.settle({ defer: token.value.fromCache });
  const accessToken = token.value.accessToken;
  const batch = (paths: string[]) =>
    capture(() =>
      withThrottleRetry(run, () => batchGet(target.environmentUrl, accessToken, paths, { continueOnError: true })),
    );
  const knownUser = await remembered;

  if (knownUser) {
    const path = `systemusers(${knownUser})`;
    const answer = await batch([
      "WhoAmI",
      `${path}${USER_QUERY}`,
      `${path}/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`,
      SAMPLE_READ,
    ]);
    run.facts.whoAmI = partOf<WhoAmI>(answer, 0);
    if (run.facts.whoAmI.ok && run.facts.whoAmI.value.UserId.toLowerCase() === knownUser.toLowerCase()) {
      run.facts.user = partOf<SystemUser>(answer, 1);
      run.facts.privileges = partOf<UserPrivileges>(answer, 2);
      run.facts.accounts = partOf<Accounts>(answer, 3);
      return run.settle({ defer: true });
    }
    // WhoAmI names another user (the application user was recreated): ask again for that one.
    await run.settle({ defer: true });
  } else {
    run.facts.whoAmI = await capture(() =>
      withThrottleRetry(run, () => getJson<WhoAmI>(target.environmentUrl, accessToken, "WhoAmI")),
    );
    await run.settle();
  }
  if (!run.facts.whoAmI?.ok) return run.settle({ defer: true });
  const path = `systemusers(${run.facts.whoAmI.value.UserId})`;
  const answer = await batch([
    `${path}${USER_QUERY}`,
    `${path}/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`,
    SAMPLE_READ,
  ]);
  run.facts.user = partOf<SystemUser>(answer, 0);
  run.facts.privileges = partOf<UserPrivileges>(answer, 1);
  run.facts.accounts = partOf<Accounts>(answer, 2);
  // The last round trip's steps are written in the same transaction as the check's end.
  return run.settle({ defer: true });
}

/**
 * Runs a started check to its end. Never throws and never leaves the check RUNNING while the database answers;
 * `interruptible`: when a write to the database failed, throws CheckInterrupted and leaves the check RUNNING.
 */
export function executeCheck(
  scope: TenantScope,
  target: CheckTarget,
  checkId: string,
  options: { interruptible?: boolean; trigger?: CheckTrigger; start?: CheckStart } = {},
): Promise<CheckOutcome> {
  // A span for the check (its steps and calls to Microsoft inside) and the check metrics (docs/operations.md).
  return observeCheck(
    { tenantId: scope.tenantId, checkId, environmentId: target.environmentId, trigger: options.trigger ?? "UNKNOWN" },
    () => runToEnd(scope, target, checkId, options),
  );
}

async function runToEnd(
  scope: TenantScope,
  target: CheckTarget,
  checkId: string,
  options: { interruptible?: boolean; trigger?: CheckTrigger; start?: CheckStart },
): Promise<CheckOutcome> {
  const started = performance.now();
  const c = config();
  const run = new CheckRun(scope, checkId, {
    branding: c.branding,
    roleName: c.dataverse.roleName,
    clientId: c.entra.clientId,
    required: c.dataverse.rolePrivileges,
  });
  let meter = { entra: 0, dataverse: 0, graph: 0 };
  try {
    // Read with the check's start (lib/data/checks.ts createCheck), else here (a check begun again).
    const prerequisites = options.start
      ? Promise.resolve(options.start.prerequisites)
      : checkPrerequisites(scope, target.environmentId).catch(() => ({
          applicationUserId: null,
          consentProven: false,
        }));
    ({ meter } = await withRequestMeter(async () => {
      try {
        await gather(run, scope, target, prerequisites);
      } catch (error) {
        run.failUnexpected(error);
      }
    }));
  } catch (error) {
    run.failUnexpected(error);
  }
  if (options.interruptible && run.databaseError !== undefined) throw new CheckInterrupted(checkId, run.databaseError);
  // Whatever happened above, the check ends: its remaining steps and its summary, in one transaction.
  const outcome = run.outcome();
  const whoAmI = run.facts.whoAmI;
  const summary = {
    outcome,
    failingStep: run.failingStep(),
    durationMs: Math.round(performance.now() - started),
    entraRequests: meter.entra,
    dataverseRequests: meter.dataverse,
    applicationUserId: outcome !== "FAILED" && whoAmI?.ok ? whoAmI.value.UserId : null,
  };
  recordCheckEnd(
    options.trigger,
    summary,
    run.settled.find((s) => s.name === summary.failingStep)?.verdict.diagnosis?.id ?? null,
  );
  try {
    await finishCheck(
      scope,
      checkId,
      summary,
      run.takeUnsaved(),
      options.start && { start: options.start.facts, steps: run.steps },
    );
  } catch (error) {
    if (options.interruptible) throw new CheckInterrupted(checkId, error);
    logger().error(
      { checkId, err: error instanceof Error ? error.message : String(error) },
      "connection check: could not record its end",
    );
    // Still end it, without the steps that could not be written, so no page follows it forever.
    await finishCheck(scope, checkId, { ...summary, outcome: "FAILED", applicationUserId: null }).catch(
      () => undefined,
    );
    return "FAILED";
  }
  return outcome;
}
