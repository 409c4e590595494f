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
import {
  adminConsentUrl,
  attemptConsentVerification,
  CONSENT_VERIFY_BACKOFF_MS,
  CONSENT_VERIFY_WINDOW_MS,
} from "@/lib/onboarding/consent";
import { requestOrigin } from "@/lib/request-origin";
import { hasNul } from "@/lib/text";
import { formDataArg, validatedAction } from "@/lib/auth/validated-action";
import { formAction, plainFormAction, type FormState } from "@/lib/auth/form-action";

/** "Grant admin consent": a single-use state bound to this session, then Microsoft's v2 adminconsent page. */
export const startAdminConsent = validatedAction(
  // A `<form action>` passes its (empty) form data; a direct call passes nothing.
  // Setup: a recent sign-in (lib/auth/session.ts requireRecentSignIn), like every destructive or setup action.
  {
    args: z.tuple([formDataArg.optional()]),
    guard: () => requireRecentCustomerAdmin("/onboarding/consent"),
    invalid: () => redirect("/onboarding/consent"),
  },
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
    invalid: (): VerifyState => ({
      status: "failed",
      cause: "The verification request was not valid.",
      fix: "Reload the page to check again.",
    }),
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
    if (tenant?.consentState === "GRANTED" && result.explanation.vendorFault === false)
      await markConsentRevoked(scope, result.explanation.id);
    return { status: "failed", cause: result.explanation.cause, fix: result.explanation.fix };
  },
);

/** After a refusal, `values` is what was typed, given back so that the fields keep it (React resets the form). */
export type EnvironmentFormState = FormState<"url" | "friendlyName"> & { message?: string; registeredId?: string };

/** The pages that list a tenant's environments: after a change they render again with the answer. */
function revalidateEnvironmentLists() {
  revalidatePath("/onboarding");
  revalidatePath("/onboarding/environments");
}

const environmentForm = z.object({
  // An absent URL is an empty one: registerEnvironmentUrl says what to type.
  url: z
    .string("That is not an environment URL.")
    .max(2048, "That is too long to be an environment URL.")
    .refine((v) => !hasNul(v), "That is not an environment URL.")
    .default(""),
  friendlyName: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string("Use letters, digits and punctuation only.")
      .trim()
      .max(100, "Keep the name under 100 characters.")
      .refine((v) => !hasNul(v), "Use letters, digits and punctuation only.")
      .optional(),
  ),
});

export const registerEnvironmentAction = formAction(
  {
    fields: environmentForm,
    guard: () => requireCustomerAdmin("/onboarding/environments"),
    invalid: (): EnvironmentFormState => ({
      fieldErrors: { url: "The form could not be read. Reload the page and try again." },
    }),
  },
  async (session, { url, friendlyName }, { refuse }): Promise<EnvironmentFormState> => {
    const result = await registerEnvironmentUrl(customerScope(session), url, friendlyName ?? null);
    if (!result.ok) return refuse({ url: result.message });
    revalidateEnvironmentLists();
    return { message: `${result.url} was registered.`, registeredId: result.id };
  },
);

const idField = z.object({ environmentId: z.uuid() });

export const removeEnvironmentAction = plainFormAction(
  {
    fields: idField,
    guard: () => requireRecentCustomerAdmin("/onboarding/environments"),
    invalid: () => redirect("/onboarding/environments"),
    // Not an environment id: nothing is removed, and the list shows how things stand.
    refused: () => redirect("/onboarding/environments"),
  },
  async (session, { environmentId }) => {
    if (await removeEnvironment(customerScope(session), environmentId)) revalidateEnvironmentLists();
    redirect("/onboarding/environments");
  },
);

/** "List my environments": incremental consent for Global Discovery, then back to the picker. */
export const startDiscoveryAction = validatedAction(
  {
    args: z.tuple([formDataArg.optional()]),
    guard: () => requireCustomerAdmin("/onboarding/environments"),
    invalid: () => redirect("/onboarding/environments"),
  },
  async (session) => {
    const url = await beginDelegated(session, await requestOrigin(), { purpose: "DISCOVERY" });
    redirect(url ?? "/onboarding/environments");
  },
);

// `approve`: the checkboxes of the changes the administrator agreed to.
const setupForm = z.object({
  environmentId: z.uuid(),
  approve: z.array(z.enum(["change-role", "enable-user"])).max(2),
});

/** "Set it up for me": incremental consent for this one environment, then the setup runs in the callback. */
export const startSetupAction = plainFormAction(
  {
    fields: setupForm,
    guard: () => requireRecentCustomerAdmin("/onboarding/environments"),
    invalid: () => redirect("/onboarding/environments"),
    refused: () => redirect("/onboarding/environments"),
  },
  async (session, { environmentId, approve }) => {
    const url = await beginDelegated(session, await requestOrigin(), {
      purpose: "SETUP",
      environmentId,
      approvals: approve,
    });
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

// The domain to type is the tenant's, so a field that is not even text gets the general words.
const disconnectForm = z.object({
  confirm: z.string("Type your organisation's domain to confirm.").trim().default(""),
});

/** After a refusal, `values.confirm` is what was typed, given back so that the field keeps it. */
export type DisconnectState = FormState<"confirm">;

export const disconnectAction = formAction(
  {
    fields: disconnectForm,
    guard: () => requireRecentCustomerAdmin("/onboarding/disconnect"),
    invalid: (): DisconnectState => ({
      fieldErrors: { confirm: "The form could not be read. Reload the page and try again." },
    }),
  },
  async (session, { confirm }, { refuse }): Promise<DisconnectState> => {
    const scope = customerScope(session);
    const tenant = await getTenant(scope);
    const expected = tenant?.primaryDomain ?? session.tenantId;
    if (confirm.toLowerCase() !== expected.toLowerCase()) return refuse({ confirm: `Type ${expected} to confirm.` });
    await disconnectTenant(scope);
    forgetTenantClient(scope.tenantId);
    await signOut({ redirectTo: "/disconnected" });
    return {};
  },
);

export type EmailAlertsState = FormState<"alerts"> & { saved?: "on" | "off" };

/** E-mail alerts on or off for the tenant's administrators (status page). */
export const setEmailAlertsAction = formAction(
  {
    fields: z.object({ alerts: z.enum(["on", "off"], "Choose whether to receive e-mail alerts.") }),
    guard: () => requireCustomerAdmin("/onboarding"),
    invalid: (): EmailAlertsState => ({
      fieldErrors: { alerts: "That request was not valid. Reload the page and try again." },
    }),
  },
  async (session, { alerts }): Promise<EmailAlertsState> => {
    await setEmailAlerts(customerScope(session), alerts === "on");
    revalidatePath("/onboarding");
    return { saved: alerts };
  },
);

export type AlertSubscriptionState = FormState<"me"> & { saved?: "added" | "removed"; address?: string };

/** Any administrator of the tenant adds or removes themselves from the alert e-mails (status page; audited). */
export const setOwnAlertSubscriptionAction = formAction(
  {
    fields: z.object({ me: z.enum(["add", "remove"], "Choose whether to receive the alert e-mails.") }),
    guard: () => requireCustomerAdmin("/onboarding"),
    invalid: (): AlertSubscriptionState => ({
      fieldErrors: { me: "That request was not valid. Reload the page and try again." },
    }),
  },
  async (session, { me }, { refuse }): Promise<AlertSubscriptionState> => {
    const address = mailableAddress(session.userPrincipalName);
    if (!address)
      return refuse({
        me: "Your Microsoft account has no e-mail address the portal can write to, so it cannot add you.",
      });
    await setOwnAlertSubscription(
      customerScope(session),
      { objectId: session.userObjectId, name: session.userName, address },
      me === "add",
    );
    revalidatePath("/onboarding");
    return { saved: me === "add" ? "added" : "removed", address };
  },
);
