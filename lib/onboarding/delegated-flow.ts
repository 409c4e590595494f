import "server-only";

// The environment picker and "Set it up for me": both start with an incremental-consent round trip for one
// resource (Global Discovery, or one environment) and end in the callback, where the delegated token is
// used at once for the one thing it was asked for and then dropped (docs/protocol/entra.md "Incremental
// consent"). The connection check that follows runs with the app's own token, as always.
import { audit } from "@/lib/audit";
import type { CustomerSession } from "@/lib/auth/session";
import { launchCheck } from "@/lib/checks/launch";
import { config } from "@/lib/config";
import {
  attachCheckToSetup,
  recordSetup,
  redeemDelegatedAuthorization,
  saveDiscovery,
  startDelegatedAuthorization,
  type SetupDiagnosis,
  type SetupRecord,
} from "@/lib/data/delegated";
import { getEnvironment } from "@/lib/data/environments";
import { customerScope, type TenantScope } from "@/lib/data/scope";
import { listInstances } from "@/lib/dataverse/global-discovery";
import {
  provisionEnvironment,
  ProvisioningFailure,
  type Approval,
  type ProvisioningResult,
} from "@/lib/dataverse/provisioning";
import {
  delegatedAuthorizationUrl,
  newPkcePair,
  redeemDelegatedCode,
  userImpersonationScope,
} from "@/lib/entra/delegated";
import {
  diagnoseAuthorizationError,
  diagnoseDiscoveryFailure,
  diagnoseProvisioningFailure,
} from "@/lib/onboarding/setup-diagnoses";

export const DELEGATED_CALLBACK_PATH = "/onboarding/delegated/callback";

export type DelegatedStart =
  { purpose: "DISCOVERY" } | { purpose: "SETUP"; environmentId: string; approvals: Approval[] };

/** Where to send the administrator for the delegated permission; null when the environment is not theirs. */
export async function beginDelegated(
  session: CustomerSession,
  origin: string,
  start: DelegatedStart,
): Promise<string | null> {
  const scope = customerScope(session);
  const c = config();
  let resource: string;
  let environmentId: string | null = null;
  if (start.purpose === "DISCOVERY") {
    if (!c.dataverse.globalDiscoveryUrl) return null;
    resource = c.dataverse.globalDiscoveryUrl;
  } else {
    const env = await getEnvironment(scope, start.environmentId);
    if (!env) return null;
    resource = env.url;
    environmentId = env.id;
  }
  const pkce = await newPkcePair();
  const state = await startDelegatedAuthorization(scope, session.id, {
    purpose: start.purpose,
    environmentId,
    approvals: start.purpose === "SETUP" ? start.approvals : [],
    codeVerifier: pkce.verifier,
  });
  await audit({
    actor: scope.actor,
    tenantId: scope.tenantId,
    action: start.purpose === "DISCOVERY" ? "environments.discovery-requested" : "setup.requested",
    target: environmentId ? { type: "environment", id: environmentId } : { type: "tenant", id: scope.tenantId },
    details: start.purpose === "SETUP" ? { approvals: start.approvals } : {},
  });
  return delegatedAuthorizationUrl({
    tenantId: scope.tenantId,
    scope: userImpersonationScope(resource),
    redirectUri: `${origin}${DELEGATED_CALLBACK_PATH}`,
    state,
    codeChallenge: pkce.challenge,
    loginHint: session.userPrincipalName,
  });
}

export type CallbackResult =
  { kind: "redirect"; to: string } | { kind: "refused"; status: number; title: string; body: string };

const REFUSED: CallbackResult = {
  kind: "refused",
  status: 400,
  title: "This answer from Microsoft can't be used",
  body: "It does not belong to a request started from this browser session, it was already used, or it expired. Nothing was changed. Start again from the portal.",
};

/** The redirect back from Microsoft: bound to this session's single-use state, whatever else it carries. */
export async function completeDelegated(
  session: CustomerSession,
  origin: string,
  params: URLSearchParams,
): Promise<CallbackResult> {
  const scope = customerScope(session);
  const state = params.get("state");
  const redeemed = state ? await redeemDelegatedAuthorization(scope, session.id, state) : null;
  if (!redeemed) return REFUSED;
  const purpose = redeemed.purpose;
  // The environment being set up, read once; it may have been removed meanwhile.
  const env = purpose === "SETUP" ? await getEnvironment(scope, redeemed.environmentId ?? "") : null;
  if (purpose === "SETUP" && !env) return { kind: "redirect", to: "/onboarding/environments" };

  let diagnosis: SetupDiagnosis | null = null;
  let accessToken: string | null = null;
  const error = params.get("error");
  const code = params.get("code");
  if (error || !code) {
    diagnosis = diagnoseAuthorizationError(
      error ? error.slice(0, 100) : "no_code",
      params.get("error_description")?.slice(0, 2000) ?? null,
      purpose,
    );
  } else {
    const resource = purpose === "DISCOVERY" ? config().dataverse.globalDiscoveryUrl : (env?.url ?? null);
    if (!resource) return { kind: "redirect", to: "/onboarding/environments" };
    try {
      const token = await redeemDelegatedCode({
        tenantId: scope.tenantId,
        scope: userImpersonationScope(resource),
        redirectUri: `${origin}${DELEGATED_CALLBACK_PATH}`,
        code,
        codeVerifier: redeemed.codeVerifier,
      });
      // The token must be this administrator's, in this tenant: another account picked at Microsoft is refused.
      if (
        token.tenantId.toLowerCase() !== scope.tenantId ||
        (token.objectId && token.objectId.toLowerCase() !== session.userObjectId.toLowerCase())
      ) {
        diagnosis = {
          id: "delegated-other-account",
          code: null,
          cause:
            "At Microsoft you chose a different account than the one signed in to this portal, so its permission was not used.",
          fix: "Try again and choose the same account, or sign out and sign in with the other one.",
          whoCanFix: "You",
        };
      } else {
        accessToken = token.accessToken;
      }
    } catch (redeemError) {
      const message = redeemError instanceof Error ? redeemError.message : String(redeemError);
      diagnosis = diagnoseAuthorizationError("invalid_grant", message, purpose);
    }
  }

  if (purpose === "DISCOVERY")
    return {
      kind: "redirect",
      to: `/onboarding/environments?discovery=${await discover(scope, session.id, accessToken, diagnosis)}#picker`,
    };
  return setUp(scope, env!, redeemed.approvals, accessToken, diagnosis);
}

async function discover(
  scope: TenantScope,
  sessionId: string,
  accessToken: string | null,
  failure: SetupDiagnosis | null,
): Promise<string> {
  if (!accessToken) return saveDiscovery(scope, sessionId, { instances: [], diagnosis: failure });
  try {
    const listed = await listInstances(config().dataverse.globalDiscoveryUrl ?? "", accessToken);
    // Only the signed-in tenant's environments are offered; anything else Global Discovery lists is left out.
    return await saveDiscovery(scope, sessionId, {
      instances: listed.filter((i) => i.tenantId === scope.tenantId),
      diagnosis: null,
    });
  } catch (error) {
    return saveDiscovery(scope, sessionId, { instances: [], diagnosis: diagnoseDiscoveryFailure(error) });
  }
}

async function setUp(
  scope: TenantScope,
  env: { id: string; url: string },
  approvals: Approval[],
  accessToken: string | null,
  failure: SetupDiagnosis | null,
): Promise<CallbackResult> {
  const c = config();
  const base: SetupRecord = {
    environmentId: env.id,
    outcome: "FAILED",
    steps: [],
    diagnosis: failure,
    decision: null,
    roleId: null,
    applicationUserId: null,
    checkId: null,
    changes: [],
  };
  if (!accessToken) {
    const setupId = await recordSetup(scope, base);
    return { kind: "redirect", to: `/onboarding/environments/${env.id}?setup=${setupId}#setup` };
  }
  let result: ProvisioningResult;
  let record: SetupRecord;
  try {
    result = await provisionEnvironment({
      environmentUrl: env.url,
      accessToken,
      applicationId: c.entra.clientId ?? "",
      roleName: c.dataverse.roleName,
      privileges: c.dataverse.rolePrivileges,
      approvals,
      waitForRetry: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    });
    record = {
      ...base,
      outcome: result.decision ? "NEEDS_DECISION" : "SUCCEEDED",
      steps: result.steps,
      decision: result.decision,
      roleId: result.roleId,
      applicationUserId: result.applicationUserId,
      changes: changesOf(result),
    };
  } catch (error) {
    if (!(error instanceof ProvisioningFailure)) throw error;
    result = error.partial;
    const diagnosis = diagnoseProvisioningFailure(error, c);
    record = {
      ...base,
      steps: [...result.steps, { action: error.action, result: "failed", detail: diagnosis.cause }],
      diagnosis,
      roleId: result.roleId,
      applicationUserId: result.applicationUserId,
      changes: changesOf(result),
    };
  }
  const setupId = await recordSetup(scope, record);
  if (record.outcome === "SUCCEEDED") {
    // The check proves the result with the app's own token, not the administrator's.
    const checkId = await launchCheck(scope, { environmentId: env.id, environmentUrl: env.url }, "CUSTOMER");
    await attachCheckToSetup(scope, setupId, checkId);
  }
  return { kind: "redirect", to: `/onboarding/environments/${env.id}?setup=${setupId}#setup` };
}

/** One audit event per object created or changed in the customer's environment. */
function changesOf(result: ProvisioningResult): SetupRecord["changes"] {
  const changes: SetupRecord["changes"] = [];
  for (const step of result.steps) {
    if (step.result !== "created" && step.result !== "changed") continue;
    if (step.action === "role") changes.push({ action: "setup.role-created", details: { roleId: result.roleId } });
    if (step.action === "privileges")
      changes.push({
        action: "setup.role-privileges-changed",
        details: { roleId: result.roleId, added: result.privilegesAdded, removed: result.privilegesRemoved },
      });
    if (step.action === "application-user")
      changes.push({
        action: step.result === "created" ? "setup.application-user-created" : "setup.application-user-enabled",
        details: { applicationUserId: result.applicationUserId },
      });
    if (step.action === "assignment")
      changes.push({
        action: "setup.role-assigned",
        details: { roleId: result.roleId, applicationUserId: result.applicationUserId },
      });
  }
  return changes;
}
