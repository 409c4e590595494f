import "server-only";

// Turns what Entra ID or Dataverse answered into a plain cause and the exact fix for the customer admin, and
// says whether the fault is the ISV's (then the customer is only told to contact the vendor, and the detail
// waits for support staff). Codes: ../shared/reference/entra-dataverse-protocol.md A5, B6, C.
import type { PortalConfig } from "@/lib/config";
import type { EntraErrorDetail } from "@/lib/entra/token-errors";
import { OutboundError } from "@/lib/http/outbound";
import { DataverseError } from "@/lib/dataverse/web-api";
import { possessive } from "@/lib/text";

export type Explanation = { errorCode: string; cause: string; fix: string; vendorFault: boolean };

type Branding = PortalConfig["branding"];

function vendorSide(b: Branding, code: string, what: string): Explanation {
  return {
    errorCode: code,
    cause: `${b.appName} could not sign in to Microsoft Entra ID because of a problem with ${possessive(b.vendorName)} own app registration (${what}). Nothing is wrong on your side.`,
    fix: `Nothing to change in your organisation. ${possessive(b.vendorName)} support team has been given the details; contact ${b.supportEmail} if you want to follow up, and re-run the check once they confirm the fix.`,
    vendorFault: true,
  };
}

export function explainTokenFailure(b: Branding, entra: EntraErrorDetail | null, error: unknown): Explanation {
  if (error instanceof OutboundError) {
    return {
      errorCode: `network.${error.kind}`,
      cause: `Microsoft Entra ID could not be reached (${error.message}).`,
      fix: "This is usually temporary. Re-run the check in a few minutes.",
      vendorFault: false,
    };
  }
  const code = entra?.aadstsCode;
  const tag = code ? `AADSTS${code}` : (entra?.error ?? "token.failed");
  switch (code) {
    case 700016:
      return {
        errorCode: tag,
        cause: `${b.appName} is not (yet) approved in your organisation: Microsoft Entra ID has no enterprise application for it in your tenant.`,
        fix: "Grant admin consent in the Consent step of this portal. If you granted it in the last few minutes, Microsoft may still be copying it across its directory: wait a minute and re-run the check.",
        vendorFault: false,
      };
    case 7000215:
      return vendorSide(b, tag, "its client secret is not valid");
    case 7000222:
      return vendorSide(b, tag, "its client secret has expired");
    case 700027:
      return vendorSide(b, tag, "its certificate was not accepted");
    case 7000218:
      return vendorSide(b, tag, "no credential was sent");
    case 7000112:
      return vendorSide(b, tag, "the application is disabled");
    case 90002:
      return {
        errorCode: tag,
        cause: "Microsoft Entra ID does not know your organisation's tenant in this cloud.",
        fix: "Check that the environment belongs to your organisation's commercial (public) cloud tenant; environments in US Government or China clouds need a separate registration — contact the vendor.",
        vendorFault: false,
      };
    case 500011:
      return {
        errorCode: tag,
        cause: "Your organisation's tenant has no Dataverse (Dynamics 365) service, so Microsoft will not issue a token for it.",
        fix: "Make sure the environment URL belongs to this organisation, and that Dataverse or Dynamics 365 is provisioned in the tenant (Power Platform admin center → Environments).",
        vendorFault: false,
      };
    case 53003:
      return {
        errorCode: tag,
        cause: `A Conditional Access policy in your tenant blocks ${possessive(b.appName)} sign-in.`,
        fix: `In the Microsoft Entra admin center, exclude the ${b.appName} enterprise application (workload identity) from the blocking Conditional Access policy.`,
        vendorFault: false,
      };
    default:
      if (entra?.error === "invalid_client" || entra?.error === "unauthorized_client") return vendorSide(b, tag, entra.description ?? "the app could not authenticate");
      return {
        errorCode: tag,
        cause: `Microsoft Entra ID refused to issue a token${entra?.description ? `: ${entra.description}` : "."}`,
        fix: `Re-run the check. If it keeps failing, contact ${b.supportEmail} quoting the time of this check.`,
        vendorFault: false,
      };
  }
}

export function explainDataverseFailure(b: Branding, roleName: string, error: unknown): Explanation {
  if (error instanceof OutboundError) {
    return {
      errorCode: `network.${error.kind}`,
      cause: error.kind === "redirect" ? "The environment answered with a redirect, which the portal does not follow." : `The environment could not be reached (${error.message}).`,
      fix: "Check that the environment still exists and is not disabled or in administration mode in the Power Platform admin center, then re-run the check.",
      vendorFault: false,
    };
  }
  if (!(error instanceof DataverseError)) {
    return { errorCode: "dataverse.unexpected", cause: "Dataverse gave an answer the portal did not understand.", fix: `Re-run the check; if it persists contact ${b.supportEmail}.`, vendorFault: false };
  }
  const code = error.code ?? `http.${error.status}`;
  const message = error.serverMessage ?? "";
  if (error.status === 401) {
    return {
      errorCode: code,
      cause: "Dataverse rejected the app's sign-in token: the environment does not accept tokens issued for your tenant.",
      fix: "Make sure this environment belongs to the same Microsoft Entra ID tenant you signed in with. If it moved tenants, remove it here and register it again.",
      vendorFault: false,
    };
  }
  if (error.code === "0x80072560") {
    return {
      errorCode: code,
      cause: `There is no application user for ${b.appName} in this environment, so Dataverse does not know the app.`,
      fix: `Create the application user: Power Platform admin center → Environments → this environment → Settings → Users + permissions → Application users → New app user → choose ${b.appName}, the root business unit, and the "${roleName}" security role.`,
      vendorFault: false,
    };
  }
  if (error.code === "0x80095ffc") {
    return {
      errorCode: code,
      cause: `Your administrators have restricted which applications may use the Dataverse API, and ${b.appName} is not allowed.`,
      fix: `Allow ${possessive(b.appName)} application ID in your tenant's Dataverse API access restrictions (Power Platform admin center), then re-run the check.`,
      vendorFault: false,
    };
  }
  if (error.status === 403 && /disabled/i.test(message)) {
    return {
      errorCode: code,
      cause: `The application user for ${b.appName} exists but is disabled.`,
      fix: "Power Platform admin center → Environments → this environment → Settings → Users + permissions → Application users → select the app → Activate.",
      vendorFault: false,
    };
  }
  if (error.code === "0x80040220") {
    const privilege = /missing (prv\w+) privilege/i.exec(message)?.[1];
    return {
      errorCode: code,
      cause: `The application user lacks a privilege it needs${privilege ? ` (${privilege})` : ""}.`,
      fix: `Give the application user the "${roleName}" security role (Application users → the app → Edit security roles), or add the missing privilege to that role.`,
      vendorFault: false,
    };
  }
  if (error.status === 429) {
    return {
      errorCode: code,
      cause: "Dataverse is limiting the number of requests (service protection limits) and asked the portal to wait.",
      fix: `Wait ${error.retryAfterSeconds ?? 60} seconds and re-run the check. If other integrations are very busy in this environment, they share the same limits.`,
      vendorFault: false,
    };
  }
  if (error.status === 404) {
    return { errorCode: code, cause: "Dataverse did not find what the check asked for in this environment.", fix: "Check that the environment URL is right and the environment still exists.", vendorFault: false };
  }
  return {
    errorCode: code,
    cause: `Dataverse refused the request (${error.status}${message ? `: ${message}` : ""}).`,
    fix: `Re-run the check. If it keeps failing, contact ${b.supportEmail} quoting the time of this check.`,
    vendorFault: false,
  };
}
