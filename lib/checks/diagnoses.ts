import "server-only";

// Every customer-facing cause and fix of the connection check, and whose fault it is. Turns what Entra ID or
// Dataverse answered into one diagnosis: a stable id of ours (for staff and reports, never shown to
// customers), Microsoft's own code (shown to customers, for their own support cases), a plain cause, the
// exact fix, and whether the fault is the vendor's (then the customer is only told to contact the vendor and
// sees no code). Codes: docs/protocol/entra.md "Token errors", docs/protocol/dataverse.md "Errors".
import type { PortalConfig } from "@/lib/config";
import type { EntraErrorDetail } from "@/lib/entra/token-errors";
import { OutboundError } from "@/lib/http/outbound";
import { DataverseError, DataverseProtocolError } from "@/lib/dataverse/web-api";
import { DEPTH_LABELS, describePrivilege, type PrivilegeDepth, type RequiredPrivilege } from "@/lib/checks/vocabulary";
import { possessive } from "@/lib/text";

export type Diagnosis = {
  /** Ours: stable, for staff, filters and reports. */
  id: string;
  /** Microsoft's: AADSTS…, 0x…, http.<status>; null when Microsoft gave none. */
  microsoftCode: string | null;
  cause: string;
  fix: string;
  vendorFault: boolean;
};

export type DiagnosisContext = { branding: PortalConfig["branding"]; roleName: string; clientId: string | null };

const PPAC_ENVIRONMENT =
  "Power Platform admin center → Environments → this environment → Settings → Users + permissions";

function vendorSide(c: DiagnosisContext, microsoftCode: string | null, what: string): Diagnosis {
  const b = c.branding;
  return {
    id: "vendor-credential",
    microsoftCode,
    cause: `${b.appName} could not sign in to Microsoft Entra ID because of a problem with ${possessive(b.vendorName)} own app registration (${what}). Nothing is wrong on your side.`,
    fix: `Nothing to change in your organisation. ${possessive(b.vendorName)} support team has been given the details; contact ${b.supportEmail} if you want to follow up, and re-run the check once they confirm the fix.`,
    vendorFault: true,
  };
}

function unreachable(service: string, error: OutboundError): Diagnosis {
  if (error.kind === "redirect") {
    return {
      id: "environment-redirects",
      microsoftCode: null,
      cause: "The environment answered with a redirect, which the portal does not follow.",
      fix: "Check that the environment still exists and is not disabled or in administration mode in the Power Platform admin center, then re-run the check.",
      vendorFault: false,
    };
  }
  return {
    id: `${service}-unreachable`,
    microsoftCode: null,
    cause: `${service === "entra" ? "Microsoft Entra ID" : "The environment"} could not be reached (${error.message}).`,
    fix:
      service === "entra"
        ? "This is usually temporary. Re-run the check in a few minutes."
        : "Check that the environment still exists and is not disabled or in administration mode in the Power Platform admin center, then re-run the check.",
    vendorFault: false,
  };
}

/** The customer's words for consent removed: not an error of ours, and what to do about it. */
export function consentRemovedCause(appName: string): string {
  return `Admin consent for ${appName} was removed from your organisation (its enterprise application or its permission is gone), so Microsoft no longer issues it a token.`;
}

/**
 * Consent that was proven is gone: a fresh token request was refused (AADSTS700016 / 7000229) or the app's own
 * token no longer carries the admin-only permission (microsoftCode null). docs/protocol/entra.md "Consent removed".
 */
export function consentRemovedDiagnosis(c: DiagnosisContext, microsoftCode: string | null): Diagnosis {
  return {
    id: "consent-removed",
    microsoftCode,
    cause: `Consent removed. ${consentRemovedCause(c.branding.appName)}`,
    fix: `An administrator of your organisation grants admin consent again in this portal (Consent → Grant admin consent, then Accept on Microsoft's page), then re-runs the check. Until then ${c.branding.appName} cannot reach any of your environments.`,
    vendorFault: false,
  };
}

export function diagnoseTokenFailure(c: DiagnosisContext, entra: EntraErrorDetail | null, error: unknown): Diagnosis {
  if (error instanceof OutboundError) return unreachable("entra", error);
  const code = entra?.aadstsCode ?? null;
  const microsoftCode = code ? `AADSTS${code}` : (entra?.error ?? null);
  const { appName, supportEmail } = c.branding;
  switch (code) {
    case 700016:
    case 7000229:
      // 700016: no application in the tenant; 7000229: the app exists but has no service principal there.
      // Both mean "not (yet) consented" and both are seen for minutes while consent replicates.
      return {
        id: "app-not-in-tenant",
        microsoftCode,
        cause: `${appName} is not (yet) approved in your organisation: Microsoft Entra ID has no enterprise application for it in your tenant.`,
        fix: "Grant admin consent in the Consent step of this portal. If you granted it in the last few minutes, Microsoft may still be copying it across its directory: wait a minute and re-run the check.",
        vendorFault: false,
      };
    case 7000215:
      return vendorSide(c, microsoftCode, "its client secret is not valid");
    case 7000222:
      return vendorSide(c, microsoftCode, "its client secret has expired");
    case 700027:
      return vendorSide(c, microsoftCode, "its certificate was not accepted");
    case 7000218:
      return vendorSide(c, microsoftCode, "no credential was sent");
    case 70021:
    case 700211:
    case 700212:
    case 700213:
    case 7002138:
      return vendorSide(c, microsoftCode, "no federated credential matches its managed identity");
    case 700226:
    case 700024:
      return vendorSide(c, microsoftCode, "its client assertion was not accepted");
    case 7000112:
      return vendorSide(c, microsoftCode, "the application is disabled");
    case 90002:
      return {
        id: "tenant-not-in-cloud",
        microsoftCode,
        cause: "Microsoft Entra ID does not know your organisation's tenant in this cloud.",
        fix: "Check that the environment belongs to your organisation's commercial (public) cloud tenant; environments in US Government or China clouds need a separate registration — contact the vendor.",
        vendorFault: false,
      };
    case 500011:
      return {
        id: "no-dataverse-in-tenant",
        microsoftCode,
        cause:
          "Your organisation's tenant has no Dataverse (Dynamics 365) service, so Microsoft will not issue a token for it.",
        fix: "Make sure the environment URL belongs to this organisation, and that Dataverse or Dynamics 365 is provisioned in the tenant (Power Platform admin center → Environments).",
        vendorFault: false,
      };
    case 53003:
      return {
        id: "conditional-access",
        microsoftCode,
        cause: `A Conditional Access policy in your tenant blocks ${possessive(appName)} sign-in.`,
        fix: `In the Microsoft Entra admin center, exclude the ${appName} enterprise application (workload identity) from the blocking Conditional Access policy.`,
        vendorFault: false,
      };
    default:
      if (entra?.error === "invalid_client" || entra?.error === "unauthorized_client")
        return vendorSide(c, microsoftCode, entra.description ?? "the app could not authenticate");
      if (!entra) return unexpected(c);
      return {
        id: "token-refused",
        microsoftCode,
        cause: `Microsoft Entra ID refused to issue a token${entra.description ? `: ${entra.description}` : "."}`,
        fix: `Re-run the check. If it keeps failing, contact ${supportEmail} quoting the time of this check.`,
        vendorFault: false,
      };
  }
}

/** "prvReadUser" → Read on the User table, in the words of the security role editor. */
function privilegeInRoleEditor(name: string): { verb: string; table: string } {
  const match = /^prv(Create|Read|Write|Delete|AppendTo|Append|Assign|Share)(\w+)$/i.exec(name);
  const tables: Record<string, string> = {
    user: "User",
    role: "Security Role",
    account: "Account",
    contact: "Contact",
    businessunit: "Business Unit",
  };
  if (!match) return { verb: "the privilege", table: name };
  const verb = match[1]!;
  return {
    verb: verb.charAt(0).toUpperCase() + verb.slice(1).toLowerCase(),
    table: tables[match[2]!.toLowerCase()] ?? match[2]!,
  };
}

/** The fix for privileges the role must grant: where to set each one, at which level. */
export function grantPrivilegesFix(c: DiagnosisContext, privileges: RequiredPrivilege[]): string {
  const settings = privileges.map((p) => {
    const { verb, table } = privilegeInRoleEditor(p.name);
    return `${table}: ${verb} at ${DEPTH_LABELS[p.depth]} level`;
  });
  return `${PPAC_ENVIRONMENT} → Security roles → "${c.roleName}" → set ${settings.join("; ")} → Save. Or choose “Set it up for me” on this environment's page: it shows what differs and, once you approve, sets the role to exactly these privileges.`;
}

export function privilegesMissing(
  c: DiagnosisContext,
  missing: Array<RequiredPrivilege & { held: PrivilegeDepth | null }>,
  microsoftCode: string | null = null,
): Diagnosis {
  const list = missing.map(
    (p) => `${describePrivilege(p)}${p.held ? `, held only at ${DEPTH_LABELS[p.held]} level` : ""}`,
  );
  return {
    id: "privileges-missing",
    microsoftCode,
    cause: `The application user's security roles lack ${missing.length === 1 ? "a privilege" : "privileges"} ${c.branding.appName} needs: ${list.join("; ")}.`,
    fix: grantPrivilegesFix(c, missing),
    vendorFault: false,
  };
}

export function roleMissing(c: DiagnosisContext, roles: string[] | null): Diagnosis {
  const held = roles === null ? "" : roles.length ? ` (it has: ${roles.join(", ")})` : " (it has no security roles)";
  return {
    id: "role-missing",
    microsoftCode: null,
    cause: `The application user does not have the "${c.roleName}" security role${held}.`,
    fix: `${PPAC_ENVIRONMENT} → Application users → ${c.branding.appName} → Edit security roles → select "${c.roleName}" → Save. If the role is not in the list, it does not exist yet: choose “Set it up for me” on this environment's page, which creates it with only the privileges ${c.branding.appName} needs and assigns it, or create it by hand first (step 1 of the manual steps).`,
    vendorFault: false,
  };
}

export function systemAdministratorHeld(c: DiagnosisContext): Diagnosis {
  return {
    id: "system-administrator",
    microsoftCode: null,
    cause: `The application user holds System Administrator, which gives ${c.branding.appName} full control of this environment, security settings included. It is not needed.`,
    fix: `${PPAC_ENVIRONMENT} → Application users → ${c.branding.appName} → Edit security roles → clear "System Administrator", keep only "${c.roleName}" → Save.`,
    vendorFault: false,
  };
}

export function notTheApplicationUser(c: DiagnosisContext): Diagnosis {
  return {
    id: "not-application-user",
    microsoftCode: null,
    cause: `Dataverse mapped the app to a user that is not ${possessive(c.branding.appName)} application user.`,
    fix: `Check the application users of this environment: the one for ${c.branding.appName} must carry its application ID ${c.clientId ?? ""}.`,
    vendorFault: false,
  };
}

export function applicationUserDisabled(c: DiagnosisContext, microsoftCode: string | null): Diagnosis {
  return {
    id: "application-user-disabled",
    microsoftCode,
    cause: `The application user for ${c.branding.appName} exists but is disabled.`,
    fix: `${PPAC_ENVIRONMENT} → Application users → ${c.branding.appName} → Activate.`,
    vendorFault: false,
  };
}

export function interactiveAccessMode(): Diagnosis {
  return {
    id: "access-mode",
    microsoftCode: null,
    cause: "The application user is not in Non-interactive access mode.",
    fix: "Application users should be Non-interactive; recreate it from Application users in the Power Platform admin center rather than as a regular user.",
    vendorFault: false,
  };
}

/** A failure of the portal itself (a bug, the database): ours, with the detail kept for staff. */
export function unexpected(c: DiagnosisContext): Diagnosis {
  return {
    id: "unexpected-error",
    microsoftCode: null,
    cause: "The check stopped on an unexpected error in the portal. Nothing points at your organisation's set-up.",
    fix: `Re-run the check. ${possessive(c.branding.vendorName)} support team has the details; if it happens again contact ${c.branding.supportEmail}.`,
    vendorFault: true,
  };
}

/** What a 403 0x80040220 says: which privilege is missing, or (SecLib::AccessCheckEx) a depth too shallow for a record. */
export type PrivilegeRefusal =
  | { kind: "missing"; privilege: string; roleCount: number | null }
  | { kind: "too-shallow"; objectTypeCode: number | null };

const OTC_PRIVILEGE: Record<number, string> = {
  1: "prvReadAccount",
  2: "prvReadContact",
  8: "prvReadUser",
  10: "prvReadBusinessUnit",
  1036: "prvReadRole",
};

export function privilegeRefusal(error: unknown): PrivilegeRefusal | null {
  if (!(error instanceof DataverseError) || error.code !== "0x80040220") return null;
  const message = error.serverMessage ?? "";
  const missing = /is missing (prv\w+) privilege/i.exec(message)?.[1];
  if (missing) {
    const roleCount = /roleCount=(\d+)/.exec(message)?.[1];
    return { kind: "missing", privilege: missing, roleCount: roleCount === undefined ? null : Number(roleCount) };
  }
  const otc = /ObjectTypeCode: (\d+)/.exec(message)?.[1];
  return { kind: "too-shallow", objectTypeCode: otc === undefined ? null : Number(otc) };
}

/** The required privilege (with its depth) a refusal is about, from the configured list. */
export function requiredPrivilegeFor(
  refusal: PrivilegeRefusal,
  required: RequiredPrivilege[],
): RequiredPrivilege | null {
  const name =
    refusal.kind === "missing"
      ? refusal.privilege
      : refusal.objectTypeCode !== null
        ? OTC_PRIVILEGE[refusal.objectTypeCode]
        : undefined;
  if (!name) return null;
  // Dataverse spells some privileges with the entity's logical name (prvReadaccount).
  return (
    required.find((p) => p.name.toLowerCase() === name.toLowerCase()) ?? {
      name: name.replace(
        /^prv(Read|Write|Create|Delete)(\w)/,
        (_m, v: string, c: string) => `prv${v}${c.toUpperCase()}`,
      ),
      depth: "Global",
    }
  );
}

export function diagnoseDataverseFailure(
  c: DiagnosisContext,
  required: RequiredPrivilege[],
  error: unknown,
): Diagnosis {
  if (error instanceof OutboundError) return unreachable("dataverse", error);
  if (error instanceof DataverseProtocolError) {
    return {
      id: "dataverse-unreadable-answer",
      microsoftCode: error.httpStatus ? `http.${error.httpStatus}` : null,
      cause: "Dataverse sent an answer the portal could not read (it was cut off or malformed).",
      fix: `This is usually temporary. Re-run the check; if it keeps happening contact ${c.branding.supportEmail} quoting the time of this check.`,
      vendorFault: false,
    };
  }
  if (!(error instanceof DataverseError)) return unexpected(c);
  const microsoftCode = error.code ?? `http.${error.status}`;
  const message = error.serverMessage ?? "";
  const { appName, supportEmail } = c.branding;
  if (error.status === 401) {
    return {
      id: "token-rejected",
      microsoftCode,
      cause:
        "Dataverse rejected the app's sign-in token: the environment does not accept tokens issued for your tenant.",
      fix: "Make sure this environment belongs to the same Microsoft Entra ID tenant you signed in with. If it moved tenants, remove it here and register it again.",
      vendorFault: false,
    };
  }
  // Recognised by its message: the status and code of administration mode are not documented
  // (docs/protocol/dataverse.md "Administration mode").
  if (error.status === 403 && /administration mode/i.test(message)) {
    return {
      id: "administration-mode",
      microsoftCode,
      cause: `The environment is in administration mode, so only System Administrators and System Customizers can use it — not ${possessive(appName)} application user.`,
      fix: "Turn administration mode off in the Power Platform admin center (Environments → this environment → Edit → Administration mode) when your maintenance is done, then re-run the check.",
      vendorFault: false,
    };
  }
  if (error.code === "0x80072560") {
    return {
      id: "application-user-missing",
      microsoftCode,
      cause: `There is no application user for ${appName} in this environment, so Dataverse does not know the app.`,
      fix: `Create the application user: ${PPAC_ENVIRONMENT} → Application users → New app user → choose ${appName}, the root business unit, and the "${c.roleName}" security role.`,
      vendorFault: false,
    };
  }
  if (error.code === "0x80095ffc") {
    return {
      id: "api-access-restricted",
      microsoftCode,
      cause: `Your administrators have restricted which applications may use the Dataverse API, and ${appName} is not allowed.`,
      fix: `Allow ${possessive(appName)} application ID in your tenant's Dataverse API access restrictions (Power Platform admin center), then re-run the check.`,
      vendorFault: false,
    };
  }
  if (error.code === "0x8004430d" || (error.status === 403 && /disabled/i.test(message)))
    return applicationUserDisabled(c, microsoftCode);
  const refusal = privilegeRefusal(error);
  if (refusal) {
    const privilege = requiredPrivilegeFor(refusal, required);
    if (privilege) return privilegesMissing(c, [{ ...privilege, held: null }], microsoftCode);
    return {
      id: "privileges-missing",
      microsoftCode,
      cause: "The application user's security roles do not let it read what the check reads.",
      fix: `Give the application user the "${c.roleName}" security role (Application users → ${appName} → Edit security roles).`,
      vendorFault: false,
    };
  }
  if (error.status === 429) {
    return {
      id: "throttled",
      microsoftCode,
      cause: "Dataverse is limiting the number of requests (service protection limits) and asked the portal to wait.",
      fix: `Wait ${error.retryAfterSeconds ?? 60} seconds and re-run the check. If other integrations are very busy in this environment, they share the same limits.`,
      vendorFault: false,
    };
  }
  if (error.status === 404) {
    return {
      id: "not-found",
      microsoftCode,
      cause: "Dataverse did not find what the check asked for in this environment.",
      fix: "Check that the environment URL is right and the environment still exists.",
      vendorFault: false,
    };
  }
  return {
    id: "dataverse-refused",
    microsoftCode,
    cause: `Dataverse refused the request (${error.status}${message ? `: ${message}` : ""}).`,
    fix: `Re-run the check. If it keeps failing, contact ${supportEmail} quoting the time of this check.`,
    vendorFault: false,
  };
}

/** Who, in the customer's organisation (or at the vendor), can fix a diagnosis — the customer's words. */
export const ENVIRONMENT_ADMINISTRATORS =
  "A System Administrator of this environment, or a Power Platform administrator (who can make themselves System Administrator of it)";
const CONSENT_ADMINISTRATORS = "A Global Administrator or Cloud Application Administrator of your organisation";

export function whoCanFix(diagnosisId: string | null, c: Pick<DiagnosisContext, "branding">): string {
  switch (diagnosisId) {
    case "vendor-credential":
    case "unexpected-error":
      return `${possessive(c.branding.vendorName)} support team; nothing to change on your side`;
    case "app-not-in-tenant":
    case "consent-removed":
      return CONSENT_ADMINISTRATORS;
    case "conditional-access":
      return "A Conditional Access Administrator or Security Administrator of your organisation";
    case "no-dataverse-in-tenant":
    case "api-access-restricted":
    case "tenant-not-in-cloud":
      return "A Power Platform administrator of your organisation";
    case "token-refused":
    case "entra-unreachable":
    case "throttled":
    case "dataverse-unreadable-answer":
    case "dataverse-refused":
      return "You, by running the check again later";
    case "token-rejected":
      return "An administrator of this connection (remove the environment and register it again)";
    default:
      return ENVIRONMENT_ADMINISTRATORS;
  }
}

/** The diagnoses "Set it up for me" fixes: it creates what is missing and, once approved, mends what differs. */
const FIXED_BY_SETUP = new Set([
  "application-user-missing",
  "application-user-disabled",
  "role-missing",
  "privileges-missing",
]);

export function setupFixes(diagnosisId: string | null): boolean {
  return diagnosisId !== null && FIXED_BY_SETUP.has(diagnosisId);
}

/** The consent must be granted (again) before anything else can work. */
export function consentFixes(diagnosisId: string | null): boolean {
  return diagnosisId === "app-not-in-tenant" || diagnosisId === "consent-removed";
}
