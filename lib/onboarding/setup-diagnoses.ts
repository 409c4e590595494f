import "server-only";

// What went wrong in "Set it up for me" or the environment picker, in the administrator's words: the cause, the
// exact fix, and who can make it (docs/protocol/dataverse.md "Creating the role", "Administration mode",
// "Security group"; docs/protocol/entra.md "Incremental consent").
import type { PortalConfig } from "@/lib/config";
import type { SetupDiagnosis } from "@/lib/data/delegated";
import { DataverseError, DataverseProtocolError } from "@/lib/dataverse/web-api";
import { type ProvisioningFailure, type SetupAction } from "@/lib/dataverse/provisioning";
import { OutboundError } from "@/lib/http/outbound";
import { ENVIRONMENT_ADMINISTRATORS as ENVIRONMENT_ADMINS } from "@/lib/checks/diagnoses";

const WHAT: Record<SetupAction, string> = {
  role: "create the security role",
  privileges: "give the security role its privileges",
  "application-user": "create the application user",
  assignment: "assign the security role to the application user",
};

/** An error Microsoft Entra ID sent back to the incremental-consent redirect (error, AADSTS code). */
export function diagnoseAuthorizationError(
  code: string | null,
  description: string | null,
  purpose: "DISCOVERY" | "SETUP",
): SetupDiagnosis {
  const aadsts = description ? (/AADSTS(\d+)/.exec(description)?.[1] ?? null) : null;
  const microsoft = aadsts ? `AADSTS${aadsts}` : code;
  if (aadsts === "500011" || aadsts === "650052") {
    return {
      id: "no-dataverse",
      code: microsoft,
      cause:
        "Your organisation has no Dynamics 365 or Power Platform service, so it has no Dataverse environments to connect.",
      fix: "Create an environment with a Dataverse database in the Power Platform admin center (or ask whoever manages your Microsoft licences), then come back and list your environments again.",
      whoCanFix: "A Power Platform administrator of your organisation",
    };
  }
  if (aadsts === "90094" || aadsts === "90095" || aadsts === "65001") {
    return {
      id: "delegated-consent-needs-admin",
      code: microsoft,
      cause: "Your organisation lets only administrators approve this permission, and it was not approved.",
      fix: "Ask a Global Administrator or Cloud Application Administrator to use this page once (they can approve it for everyone), or enter the environment URL by hand below.",
      whoCanFix: "A Global Administrator or Cloud Application Administrator",
    };
  }
  if (code === "access_denied" || aadsts === "65004") {
    return {
      id: "delegated-declined",
      code: microsoft,
      cause:
        purpose === "DISCOVERY"
          ? "You did not allow the portal to list your environments, so nothing was listed."
          : "You did not allow the portal to act in the environment, so nothing was changed.",
      fix:
        purpose === "DISCOVERY"
          ? "Choose “List my environments” again and accept, or enter the environment URL by hand."
          : "Choose “Set it up for me” again and accept, or follow the manual steps below.",
      whoCanFix: "You",
    };
  }
  return {
    id: "delegated-sign-in-failed",
    code: microsoft,
    cause: `Microsoft did not complete the sign-in${description ? `: ${description.split(/\r?\n/)[0]!.slice(0, 200)}` : "."}`,
    fix: "Try again. If it keeps failing, enter the environment URL by hand or follow the manual steps.",
    whoCanFix: "You",
  };
}

/** A Global Discovery call that failed. */
export function diagnoseDiscoveryFailure(error: unknown): SetupDiagnosis {
  if (error instanceof DataverseError && error.status === 429) return throttled(error);
  return {
    id: "discovery-failed",
    code: error instanceof DataverseError ? (error.code ?? `http.${error.status}`) : null,
    cause: `Microsoft's environment list (Global Discovery) did not answer as expected${error instanceof Error ? ` (${error.message.slice(0, 200)})` : ""}.`,
    fix: "Try again in a minute, or enter the environment URL by hand below.",
    whoCanFix: "You",
  };
}

function throttled(error: DataverseError): SetupDiagnosis {
  return {
    id: "throttled",
    code: error.code ?? "http.429",
    cause: `Dataverse asked the portal to slow down (service protection limits)${error.retryAfterSeconds !== null ? ` for ${error.retryAfterSeconds} seconds` : ""}. Nothing further was changed.`,
    fix: `Wait ${error.retryAfterSeconds !== null ? `${error.retryAfterSeconds} seconds` : "a minute"} and choose “Set it up for me” again: what is already in place is kept.`,
    whoCanFix: "You",
  };
}

/** A provisioning action Dataverse refused. */
export function diagnoseProvisioningFailure(
  failure: ProvisioningFailure,
  c: Pick<PortalConfig, "branding">,
): SetupDiagnosis {
  const error = failure.reason;
  const what = WHAT[failure.action];
  if (error instanceof DataverseError) {
    const message = error.serverMessage ?? "";
    if (error.status === 429) return throttled(error);
    if (/administration mode/i.test(message)) {
      return {
        id: "administration-mode",
        code: error.code,
        cause:
          "The environment is in administration mode: only System Administrators and System Customizers can use it, and your account is neither.",
        fix: "Turn administration mode off in the Power Platform admin center (Environments → this environment → Edit → Administration mode), or ask a System Administrator of the environment to run “Set it up for me”. The application user needs it off too.",
        whoCanFix: ENVIRONMENT_ADMINS,
      };
    }
    if (error.status === 403 && error.code === "0x80040220") {
      return {
        id: "not-environment-admin",
        code: error.code,
        cause: `Dataverse refused to let your account ${what}: you are not a System Administrator${failure.action === "role" || failure.action === "privileges" ? " or System Customizer" : ""} of this environment.`,
        fix: "Ask a System Administrator of the environment to sign in here and choose “Set it up for me”, or to follow the manual steps below. Being an administrator in Microsoft Entra ID is not enough: environment roles are separate.",
        whoCanFix: ENVIRONMENT_ADMINS,
      };
    }
    if (error.status === 403 && error.code === "0x80072560") {
      return {
        id: "not-in-environment",
        code: error.code,
        cause:
          "Your account cannot use this environment: it is restricted to a security group you are not a member of, or you have no user in it.",
        fix: "Ask an administrator to add you to the environment's security group (Power Platform admin center → Environments → this environment → Edit → Security group), or ask a System Administrator of the environment to run the setup.",
        whoCanFix: ENVIRONMENT_ADMINS,
      };
    }
    if (error.status === 403 && error.code === "0x8004430d") {
      return {
        id: "own-user-disabled",
        code: error.code,
        cause: "Your own user in this environment is disabled.",
        fix: "Ask a System Administrator of the environment to enable your user or to run the setup.",
        whoCanFix: ENVIRONMENT_ADMINS,
      };
    }
    if (error.code === "0x80072566") {
      return {
        id: "app-not-in-tenant",
        code: error.code,
        cause: `Dataverse does not know ${c.branding.appName} in your organisation yet, so it cannot create its application user.`,
        fix: "Grant admin consent first (step 1), wait a minute, then choose “Set it up for me” again.",
        whoCanFix: "A Global Administrator or Cloud Application Administrator",
      };
    }
    return {
      id: "setup-refused",
      code: error.code ?? `http.${error.status}`,
      cause: `Dataverse refused to ${what}${message ? `: ${message.slice(0, 300)}` : "."}`,
      fix: "Follow the manual steps below, or contact support with the code shown.",
      whoCanFix: ENVIRONMENT_ADMINS,
    };
  }
  if (error instanceof OutboundError || error instanceof DataverseProtocolError) {
    return {
      id: "environment-unreachable",
      code: null,
      cause: `The environment did not answer while the portal tried to ${what} (${error.message.slice(0, 200)}).`,
      fix: "Check that the environment is running in the Power Platform admin center, then choose “Set it up for me” again: what is already in place is kept.",
      whoCanFix: "You",
    };
  }
  return {
    id: "setup-failed",
    code: null,
    cause: `The portal could not ${what}: ${error.message.slice(0, 300)}`,
    fix: "Follow the manual steps below, or contact support.",
    whoCanFix: "You",
  };
}
