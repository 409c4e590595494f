"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signOut } from "@/lib/auth/next-auth";
import { requireCustomerAdmin, requireRecentCustomerAdmin } from "@/lib/auth/session";
import { customerCheckRateLimit } from "@/lib/checks/rate-limit";
import { launchCheck } from "@/lib/checks/launch";
import { config } from "@/lib/config";
import { getEnvironment, removeEnvironment } from "@/lib/data/environments";
import { mailableAddress, setOwnAlertSubscription } from "@/lib/data/alert-recipients";
import { customerScope } from "@/lib/data/scope";
import { getTenant, latestRedeemedConsent, setEmailAlerts, startConsentRequest } from "@/lib/data/tenants";
import { disconnectTenant, markConsentRevoked } from "@/lib/onboarding/tenant-life";
import { forgetTenantClient } from "@/lib/entra/msal";
import { beginDelegated } from "@/lib/onboarding/delegated-flow";
import { registerEnvironmentUrl } from "@/lib/onboarding/environment-registration";
import { consentVerificationRateLimit } from "@/lib/onboarding/limits";
import { adminConsentUrl, attemptConsentVerification, CONSENT_VERIFY_BACKOFF_MS, CONSENT_VERIFY_WINDOW_MS } from "@/lib/onboarding/consent";
import { requestOrigin } from "@/lib/request-origin";
import { hasNul } from "@/lib/text";
import { formDataArg, previousStateArg, validatedAction } from "@/lib/auth/validated-action";

/** "Grant admin consent": a single-use state bound to this session, then Microsoft's v2 adminconsent page. */
export const startAdminConsent = validatedAction(
  // A `<form action>` passes its (empty) form data; a direct call passes nothing.
  // Setup: a recent sign-in (lib/auth/session.ts requireRecentSignIn), like every destructive or setup action.
  { args: z.tuple([formDataArg.optional()]), guard: () => requireRecentCustomerAdmin("/onboarding/consent"), invalid: () => redirect("/onboarding/consent") },
  async (session) => {
    const state = await startConsentRequest(customerScope(session), session.id);
    redirect(adminConsentUrl(config(), session.tenantId, state, await requestOrigin()));
  },
);

export type VerifyState =
  | { status: "verified" }
  | { status: "waiting"; attempt: number; nextDelayMs: number; cause: string }
  | { status: "failed"; cause: string; fix: string };

/** One verification attempt; the page calls it again after `nextDelayMs` while the status is "waiting". */
export const verifyConsentAttempt = validatedAction(
  {
    // Out-of-range attempts are clamped below; only a non-number is refused.
    args: z.tuple([z.number()]),
    guard: () => requireCustomerAdmin("/onboarding/consent/verify"),
    invalid: (): VerifyState => ({ status: "failed", cause: "The verification request was not valid.", fix: "Reload the page to check again." }),
  },
  async (session, [attempt]): Promise<VerifyState> => {
    const scope = customerScope(session);
    const tenant = await getTenant(scope);
    const n = Number.isInteger(attempt) && attempt > 0 ? Math.min(attempt, 100) : 1;
    const limited = await consentVerificationRateLimit(scope);
    if (limited) return { status: "failed", cause: limited, fix: "Wait a few minutes, then check consent again." };
    // "Granted by" names the administrator whose consent round trip this session redeemed, never a verifier.
    const redeemed = await latestRedeemedConsent(scope, session.id);
    const grantedBy = redeemed ? { objectId: session.userObjectId, name: session.userName } : null;
    const result = await attemptConsentVerification(scope, n, grantedBy);
    if (result.verified) return { status: "verified" };
    // Retrying through replication lag only makes sense right after this session came back from consent;
    // a manual "check consent" (e.g. after the direct link) is a single attempt.
    const elapsed = redeemed?.usedAt ? Date.now() - redeemed.usedAt.getTime() : Number.POSITIVE_INFINITY;
    const nextDelayMs = CONSENT_VERIFY_BACKOFF_MS[Math.min(n, CONSENT_VERIFY_BACKOFF_MS.length - 1)]!;
    // A tenant whose consent was already proven is not replicating: a failure now means the consent is gone.
    if (result.retryable && tenant?.consentState !== "GRANTED" && elapsed + nextDelayMs < CONSENT_VERIFY_WINDOW_MS) {
      return { status: "waiting", attempt: n, nextDelayMs, cause: result.explanation.cause };
    }
    // A tenant recorded as consented whose consent can no longer be proven has had it removed.
    if (tenant?.consentState === "GRANTED" && result.explanation.vendorFault === false) await markConsentRevoked(scope, result.explanation.id);
    return { status: "failed", cause: result.explanation.cause, fix: result.explanation.fix };
  },
);

/** After a refusal, `values` is what was typed, given back so that the fields keep it (React resets the form). */
export type EnvironmentFormState = {
  message?: string;
  fieldErrors?: { url?: string; friendlyName?: string };
  values?: { url: string; friendlyName: string };
  registeredId?: string;
};

/** The pages that list a tenant's environments: after a change they render again with the answer. */
function revalidateEnvironmentLists() {
  revalidatePath("/onboarding");
  revalidatePath("/onboarding/environments");
}

const environmentForm = z.object({
  url: z.string().max(2048, "That is too long to be an environment URL.").refine((v) => !hasNul(v), "That is not an environment URL."),
  friendlyName: z.string().trim().max(100, "Keep the name under 100 characters.").refine((v) => !hasNul(v), "Use letters, digits and punctuation only.").optional(),
});

export const registerEnvironmentAction = validatedAction(
  {
    args: z.tuple([previousStateArg, formDataArg]),
    guard: () => requireCustomerAdmin("/onboarding/environments"),
    invalid: (): EnvironmentFormState => ({ fieldErrors: { url: "The form could not be read. Reload the page and try again." } }),
  },
  async (session, [, form]): Promise<EnvironmentFormState> => {
    const scope = customerScope(session);
    const typed = (name: string) => {
      const value = form.get(name);
      // Given back into the field as typed, but never more than the field could hold.
      return typeof value === "string" ? value.slice(0, 2048) : "";
    };
    const values = { url: typed("url"), friendlyName: typed("friendlyName") };
    const parsed = environmentForm.safeParse({ url: form.get("url") ?? "", friendlyName: form.get("friendlyName") || undefined });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { fieldErrors: { [issue.path[0] === "friendlyName" ? "friendlyName" : "url"]: issue.message }, values };
    }
    const result = await registerEnvironmentUrl(scope, parsed.data.url, parsed.data.friendlyName ?? null);
    if (!result.ok) return { fieldErrors: { url: result.message }, values };
    revalidateEnvironmentLists();
    return { message: `${result.url} was registered.`, registeredId: result.id };
  },
);

const idField = z.object({ environmentId: z.uuid() });

export const removeEnvironmentAction = validatedAction(
  { args: z.tuple([formDataArg]), guard: () => requireRecentCustomerAdmin("/onboarding/environments"), invalid: () => redirect("/onboarding/environments") },
  async (session, [form]) => {
    const parsed = idField.safeParse({ environmentId: form.get("environmentId") });
    if (parsed.success && (await removeEnvironment(customerScope(session), parsed.data.environmentId))) revalidateEnvironmentLists();
    redirect("/onboarding/environments");
  },
);

/** "List my environments": incremental consent for Global Discovery, then back to the picker. */
export const startDiscoveryAction = validatedAction(
  { args: z.tuple([formDataArg.optional()]), guard: () => requireCustomerAdmin("/onboarding/environments"), invalid: () => redirect("/onboarding/environments") },
  async (session) => {
    const url = await beginDelegated(session, await requestOrigin(), { purpose: "DISCOVERY" });
    redirect(url ?? "/onboarding/environments");
  },
);

const setupForm = z.object({ environmentId: z.uuid(), approvals: z.array(z.enum(["change-role", "enable-user"])).max(2) });

/** "Set it up for me": incremental consent for this one environment, then the setup runs in the callback. */
export const startSetupAction = validatedAction(
  { args: z.tuple([formDataArg]), guard: () => requireRecentCustomerAdmin("/onboarding/environments"), invalid: () => redirect("/onboarding/environments") },
  async (session, [form]) => {
    const parsed = setupForm.safeParse({ environmentId: form.get("environmentId"), approvals: form.getAll("approve") });
    if (!parsed.success) redirect("/onboarding/environments");
    const url = await beginDelegated(session, await requestOrigin(), { purpose: "SETUP", environmentId: parsed.data.environmentId, approvals: parsed.data.approvals });
    redirect(url ?? "/onboarding/environments");
  },
);

export type StartCheckState = { checkId?: string; error?: string };

const NO_SUCH_ENVIRONMENT = "This environment does not exist in your organisation.";

export const startCheckAction = validatedAction(
  {
    args: z.tuple([z.string()]),
    guard: () => requireCustomerAdmin("/onboarding/environments"),
    invalid: (): StartCheckState => ({ error: NO_SUCH_ENVIRONMENT }),
  },
  async (session, [environmentId]): Promise<StartCheckState> => {
    const scope = customerScope(session);
    const parsed = idField.safeParse({ environmentId });
    const env = parsed.success ? await getEnvironment(scope, parsed.data.environmentId) : null;
    if (!env) return { error: NO_SUCH_ENVIRONMENT };
    const limited = await customerCheckRateLimit(scope);
    if (limited) return { error: limited };
    // The steps run after this answer is sent; the page follows them through /api/checks/<id>.
    return { checkId: await launchCheck(scope, { environmentId: env.id, environmentUrl: env.url }, "CUSTOMER") };
  },
);

const disconnectForm = z.object({ confirm: z.string().trim() });

/** `confirm` is what was typed, given back so that the field keeps it after a refusal. */
export type DisconnectState = { error?: string; confirm?: string };

export const disconnectAction = validatedAction(
  {
    args: z.tuple([previousStateArg, formDataArg]),
    guard: () => requireRecentCustomerAdmin("/onboarding/disconnect"),
    invalid: (): DisconnectState => ({ error: "The form could not be read. Reload the page and try again." }),
  },
  async (session, [, form]): Promise<DisconnectState> => {
    const scope = customerScope(session);
    const tenant = await getTenant(scope);
    const parsed = disconnectForm.safeParse({ confirm: form.get("confirm") ?? "" });
    const expected = tenant?.primaryDomain ?? session.tenantId;
    if (!parsed.success || parsed.data.confirm.toLowerCase() !== expected.toLowerCase()) {
    return { error: `Type ${expected} to confirm.`, confirm: parsed.success ? parsed.data.confirm : "" };
    }
    await disconnectTenant(scope);
    forgetTenantClient(scope.tenantId);
    await signOut({ redirectTo: "/disconnected" });
    return {};
  },
);

export type EmailAlertsState = { saved?: "on" | "off"; error?: string };

/** E-mail alerts on or off for the tenant's administrators (status page). */
export const setEmailAlertsAction = validatedAction(
  { args: z.tuple([previousStateArg, formDataArg]), guard: () => requireCustomerAdmin("/onboarding"), invalid: (): EmailAlertsState => ({ error: "That request was not valid. Reload the page and try again." }) },
  async (session, [, form]): Promise<EmailAlertsState> => {
    const choice = z.enum(["on", "off"]).safeParse(form.get("alerts"));
    if (!choice.success) return { error: "Choose whether to receive e-mail alerts." };
    await setEmailAlerts(customerScope(session), choice.data === "on");
    revalidatePath("/onboarding");
    return { saved: choice.data };
  },
);

export type AlertSubscriptionState = { saved?: "added" | "removed"; address?: string; error?: string };

/** Any administrator of the tenant adds or removes themselves from the alert e-mails (status page; audited). */
export const setOwnAlertSubscriptionAction = validatedAction(
  {
    args: z.tuple([previousStateArg, formDataArg]),
    guard: () => requireCustomerAdmin("/onboarding"),
    invalid: (): AlertSubscriptionState => ({ error: "That request was not valid. Reload the page and try again." }),
  },
  async (session, [, form]): Promise<AlertSubscriptionState> => {
    const choice = z.enum(["add", "remove"]).safeParse(form.get("me"));
    if (!choice.success) return { error: "Choose whether to receive the alert e-mails." };
    const address = mailableAddress(session.userPrincipalName);
    if (!address) return { error: "Your Microsoft account has no e-mail address the portal can write to, so it cannot add you." };
    await setOwnAlertSubscription(customerScope(session), { objectId: session.userObjectId, name: session.userName, address }, choice.data === "add");
    revalidatePath("/onboarding");
    return { saved: choice.data === "add" ? "added" : "removed", address };
  },
);
