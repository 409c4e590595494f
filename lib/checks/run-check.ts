import "server-only";

// The live connection check, server-side only: exactly what Northwind Sync's back end will do.
//   token            client-credentials token for the environment's tenant (MSAL, one client per tenant)
//   whoami           WhoAmI: is there an application user for the app?          ─ Dataverse round trip 1
//   application-user found, enabled, non-interactive                            ┐
//   roles            the required role; a warning for System Administrator      │ Dataverse round trip 2
//   privileges       RetrieveUserPrivileges against the configured list         │ (one $batch)
//   sample-read      top 3 accounts by name                                     ┘
// A warm check (token cached) makes 2 Dataverse requests and none to Entra; a cold one adds one token request.
import { explainDataverseFailure, explainTokenFailure, type Explanation } from "@/lib/checks/explain";
import { possessive } from "@/lib/text";
import { config } from "@/lib/config";
import { createCheck, finishCheck, recordStep, type StepRecord } from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";
import { batchGet, DataverseError, getJson, type BatchPart } from "@/lib/dataverse/web-api";
import { dataverseAppToken } from "@/lib/entra/msal";
import { capturedEntraError, withEntraErrorCapture } from "@/lib/entra/token-errors";
import { withRequestMeter } from "@/lib/http/outbound";
import type { CheckOutcome, CheckTrigger, Prisma, StepOutcome } from "@/lib/generated/prisma/client";

export const CHECK_STEPS = ["token", "whoami", "application-user", "roles", "privileges", "sample-read"] as const;
export type CheckStepName = (typeof CHECK_STEPS)[number];

export const SYSTEM_ADMINISTRATOR_ROLE = "System Administrator";
/** Dataverse's access mode "Non-interactive" (reference B4), the mode of application users. */
const NON_INTERACTIVE = 4;
/** Longest Retry-After the check waits for before it reports throttling instead (keeps a check interactive). */
const MAX_RETRY_AFTER_SECONDS = 20;

type WhoAmI = { UserId: string; BusinessUnitId: string; OrganizationId: string };
type SystemUser = {
  systemuserid: string;
  fullname?: string;
  applicationid?: string | null;
  isdisabled?: boolean;
  accessmode?: number;
  systemuserroles_association?: Array<{ roleid: string; name: string }>;
};
type Privileges = { RolePrivileges?: Array<{ PrivilegeName: string; Depth: string }> };
type Accounts = { value?: Array<{ name?: string | null }> };

export type CheckTarget = { environmentId: string; environmentUrl: string };

/** Calls Dataverse, honouring Retry-After on 429 (service protection, reference B6) a bounded number of times. */
async function withThrottleRetry<T>(call: () => Promise<T>, waits: number[]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof DataverseError) || error.status !== 429 || attempt >= 2) throw error;
      const seconds = error.retryAfterSeconds ?? 1;
      if (seconds > MAX_RETRY_AFTER_SECONDS) throw error;
      waits.push(seconds);
      await new Promise((r) => setTimeout(r, seconds * 1000));
    }
  }
}

function vendorDetailOf(error: unknown): Prisma.InputJsonValue {
  if (error instanceof DataverseError) {
    return { service: "dataverse", httpStatus: error.status, code: error.code, message: error.serverMessage, retryAfterSeconds: error.retryAfterSeconds, requestId: error.requestId };
  }
  if (error instanceof Error) return { service: "unknown", error: error.name, message: error.message };
  return { service: "unknown", message: String(error) };
}

/** Records a new check (RUNNING) and returns its id; `executeConnectionCheck` then runs it. */
export async function startConnectionCheck(scope: TenantScope, target: CheckTarget, trigger: CheckTrigger): Promise<string> {
  return createCheck(scope, target.environmentId, trigger);
}

/** Starts and runs a check to the end. */
export async function runConnectionCheck(scope: TenantScope, target: CheckTarget, trigger: CheckTrigger): Promise<{ checkId: string; outcome: CheckOutcome }> {
  const checkId = await startConnectionCheck(scope, target, trigger);
  return { checkId, outcome: await executeConnectionCheck(scope, target, checkId) };
}

/** Runs the steps of a started check, writing each step as it completes so a page can show progress. */
export async function executeConnectionCheck(scope: TenantScope, target: CheckTarget, checkId: string): Promise<CheckOutcome> {
  const c = config();
  const { roleName, rolePrivileges } = c.dataverse;
  const started = performance.now();
  const steps: StepRecord[] = [];

  const record = async (name: CheckStepName, outcome: StepOutcome, stepStarted: number, extra: Partial<StepRecord> = {}) => {
    const step: StepRecord = { ordinal: CHECK_STEPS.indexOf(name), name, outcome, durationMs: Math.round(performance.now() - stepStarted), ...extra };
    steps.push(step);
    await recordStep(scope, checkId, step);
  };
  const fail = (name: CheckStepName, stepStarted: number, explanation: Explanation, vendorDetail: Prisma.InputJsonValue) =>
    record(name, "FAILED", stepStarted, {
      errorCode: explanation.errorCode,
      customerCause: explanation.cause,
      customerFix: explanation.fix,
      vendorFault: explanation.vendorFault,
      vendorDetail,
    });
  const skipRest = async (after: CheckStepName) => {
    for (const name of CHECK_STEPS.slice(CHECK_STEPS.indexOf(after) + 1)) await record(name, "SKIPPED", performance.now());
  };

  const { meter } = await withRequestMeter(async () => {
    // 1. token
    let t = performance.now();
    let accessToken: string;
    try {
      const token = await withEntraErrorCapture(async () => {
        try {
          return { ok: true as const, value: await dataverseAppToken(scope.tenantId, target.environmentUrl) };
        } catch (error) {
          return { ok: false as const, error, entra: capturedEntraError() };
        }
      });
      if (!token.ok) {
        await fail("token", t, explainTokenFailure(c.branding, token.entra, token.error), (token.entra ? { service: "entra", ...token.entra } : vendorDetailOf(token.error)));
        await skipRest("token");
        return;
      }
      accessToken = token.value.accessToken;
      await record("token", "PASSED", t, { result: { fromCache: token.value.fromCache } });
    } catch (error) {
      await fail("token", t, explainTokenFailure(c.branding, null, error), vendorDetailOf(error));
      await skipRest("token");
      return;
    }

    // 2. WhoAmI
    t = performance.now();
    const waits: number[] = [];
    let whoAmI: WhoAmI;
    try {
      whoAmI = await withThrottleRetry(() => getJson<WhoAmI>(target.environmentUrl, accessToken, "WhoAmI"), waits);
      await record("whoami", "PASSED", t, { result: { userId: whoAmI.UserId, organizationId: whoAmI.OrganizationId, throttledWaitsSeconds: waits } });
    } catch (error) {
      // A missing or disabled application user surfaces here; report it under the step the admin acts on.
      const explanation = explainDataverseFailure(c.branding, roleName, error);
      const isAppUser = error instanceof DataverseError && error.status === 403;
      if (isAppUser) {
        await record("whoami", "PASSED", t, { result: { note: "token accepted by Dataverse" } });
        await fail("application-user", performance.now(), explanation, { ...(vendorDetailOf(error) as object), throttledWaitsSeconds: waits });
        await skipRest("application-user");
      } else {
        await fail("whoami", t, explanation, { ...(vendorDetailOf(error) as object), throttledWaitsSeconds: waits });
        await skipRest("whoami");
      }
      return;
    }

    // 3–6 in one $batch.
    t = performance.now();
    const userPath = `systemusers(${whoAmI.UserId})`;
    let parts: BatchPart[];
    try {
      parts = await withThrottleRetry(
        () =>
          batchGet(target.environmentUrl, accessToken, [
            `${userPath}?$select=systemuserid,fullname,applicationid,isdisabled,accessmode&$expand=systemuserroles_association($select=roleid,name)`,
            `${userPath}/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`,
            `accounts?$select=name&$orderby=name%20asc&$top=3`,
          ]),
        waits,
      );
    } catch (error) {
      await fail("application-user", t, explainDataverseFailure(c.branding, roleName, error), { ...(vendorDetailOf(error) as object), throttledWaitsSeconds: waits });
      await skipRest("application-user");
      return;
    }
    const [userPart, privilegesPart, accountsPart] = parts as [BatchPart, BatchPart, BatchPart];

    // application user
    if (userPart.error) {
      await fail("application-user", t, explainDataverseFailure(c.branding, roleName, userPart.error), vendorDetailOf(userPart.error));
      await skipRest("application-user");
      return;
    }
    const user = userPart.body as SystemUser;
    if (user.applicationid?.toLowerCase() !== c.entra.clientId?.toLowerCase()) {
      await fail(
        "application-user",
        t,
        {
          errorCode: "portal.not-application-user",
          cause: `Dataverse mapped the app to a user that is not ${possessive(c.branding.appName)} application user.`,
          fix: `Check the application users of this environment: the one for ${c.branding.appName} must carry its application ID ${c.entra.clientId}.`,
          vendorFault: false,
        },
        { systemuserid: user.systemuserid, applicationid: user.applicationid ?? null },
      );
      await skipRest("application-user");
      return;
    }
    if (user.isdisabled) {
      await fail("application-user", t, explainDataverseFailure(c.branding, roleName, new DataverseError(403, null, "user is disabled", null, null)), { systemuserid: user.systemuserid, isdisabled: true });
      await skipRest("application-user");
      return;
    }
    const nonInteractive = user.accessmode === NON_INTERACTIVE;
    await record("application-user", nonInteractive ? "PASSED" : "WARNING", t, {
      result: { systemUserId: user.systemuserid, name: user.fullname ?? null, accessMode: user.accessmode ?? null },
      ...(nonInteractive
        ? {}
        : {
            errorCode: "portal.access-mode",
            customerCause: "The application user is not in Non-interactive access mode.",
            customerFix: "Application users should be Non-interactive; recreate it from Application users in the Power Platform admin center rather than as a regular user.",
          }),
    });

    // roles
    t = performance.now();
    const roles = (user.systemuserroles_association ?? []).map((r) => r.name);
    const hasRequired = roles.some((r) => r.toLowerCase() === roleName.toLowerCase());
    const isSysAdmin = roles.some((r) => r.toLowerCase() === SYSTEM_ADMINISTRATOR_ROLE.toLowerCase());
    if (!hasRequired) {
      await fail(
        "roles",
        t,
        {
          errorCode: "portal.role-missing",
          cause: `The application user does not have the "${roleName}" security role${roles.length ? ` (it has: ${roles.join(", ")})` : " (it has no roles)"}.`,
          fix: `Power Platform admin center → this environment → Settings → Users + permissions → Application users → ${c.branding.appName} → Edit security roles → select "${roleName}" → Save.`,
          vendorFault: false,
        },
        { roles },
      );
    } else if (isSysAdmin) {
      await record("roles", "WARNING", t, {
        errorCode: "portal.system-administrator",
        customerCause: `The application user also holds System Administrator, which gives ${c.branding.appName} full control of this environment. It is not needed.`,
        customerFix: `Remove the System Administrator role from the application user and keep only "${roleName}".`,
        result: { roles },
      });
    } else {
      await record("roles", "PASSED", t, { result: { roles } });
    }

    // privileges
    t = performance.now();
    if (privilegesPart.error) {
      await fail("privileges", t, explainDataverseFailure(c.branding, roleName, privilegesPart.error), vendorDetailOf(privilegesPart.error));
    } else {
      const held = new Set(((privilegesPart.body as Privileges).RolePrivileges ?? []).map((p) => p.PrivilegeName.toLowerCase()));
      const missing = rolePrivileges.filter((p) => !held.has(p.toLowerCase()));
      if (missing.length) {
        await fail(
          "privileges",
          t,
          {
            errorCode: "portal.privileges-missing",
            cause: `The application user's roles lack ${missing.length === 1 ? "a privilege" : "privileges"} ${c.branding.appName} needs: ${missing.join(", ")}.`,
            fix: `Open the "${roleName}" security role (Power Platform admin center → Settings → Users + permissions → Security roles) and grant ${missing.join(", ")} at Organization level, or re-import the role from ${possessive(c.branding.vendorName)} solution.`,
            vendorFault: false,
          },
          { missing, heldCount: held.size },
        );
      } else {
        await record("privileges", "PASSED", t, { result: { checked: rolePrivileges } });
      }
    }

    // sample read
    t = performance.now();
    if (accountsPart.error) {
      await fail("sample-read", t, explainDataverseFailure(c.branding, roleName, accountsPart.error), vendorDetailOf(accountsPart.error));
    } else {
      const accounts = ((accountsPart.body as Accounts).value ?? []).map((a) => a.name ?? "(no name)");
      await record("sample-read", "PASSED", t, { result: { accounts } });
    }
  });

  const failed = steps.find((s) => s.outcome === "FAILED");
  const outcome: CheckOutcome = failed ? "FAILED" : steps.some((s) => s.outcome === "WARNING") ? "WARNING" : "PASSED";
  await finishCheck(scope, checkId, {
    outcome,
    failingStep: failed?.name ?? null,
    durationMs: Math.round(performance.now() - started),
    entraRequests: meter.entra,
    dataverseRequests: meter.dataverse,
  });
  return outcome;
}
