"use server";

// The support console's mutations. Each one checks the staff session and role itself (never trusting the
// layout), validates its input with zod, and is audited by the data function it calls.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireStaff } from "@/lib/auth/session";
import { launchCheck } from "@/lib/checks/launch";
import { staffScope } from "@/lib/data/scope";
import { staffActor } from "@/lib/data/support/activity";
import { INVITATION_EXPIRY_DAYS } from "@/lib/data/support/invitation-options";
import { createInvitation, knownTenantForHint, revokeInvitation, type KnownTenant } from "@/lib/data/support/invitations";
import { customerReferenceInput, setCustomerReference } from "@/lib/data/support/customer-reference";
import { getSupportEnvironment } from "@/lib/data/support/tenants";
import { emailInvitation } from "@/lib/notifications";
import { requestOrigin } from "@/lib/request-origin";
import { hasNul } from "@/lib/text";
import { formDataArg, previousStateArg, validatedAction } from "@/lib/auth/validated-action";
import { microsoftGuid, TENANT_HINT } from "@/lib/validators";

export type RerunState = { checkId?: string; error?: string };

const rerunInput = z.object({ tenantId: microsoftGuid(), environmentId: z.uuid() });

/** "Re-run check now" on a tenant's environment: the check runs after the answer; the page follows it. */
const INVALID_RERUN = "That tenant or environment id is not valid.";

export const rerunCheckAction = validatedAction(
  { args: z.tuple([z.unknown(), z.unknown()]), guard: () => requireStaff("/console/tenants", "operator"), invalid: (): RerunState => ({ error: INVALID_RERUN }) },
  async (session, [tenantId, environmentId]): Promise<RerunState> => {
    const parsed = rerunInput.safeParse({ tenantId, environmentId });
    if (!parsed.success) return { error: INVALID_RERUN };
    const environment = await getSupportEnvironment(parsed.data.tenantId, parsed.data.environmentId);
    if (!environment) return { error: "This environment does not exist (it may have been removed by the customer)." };
    const scope = staffScope(session, environment.tenantId);
    return { checkId: await launchCheck(scope, { environmentId: environment.id, environmentUrl: environment.url }, "STAFF") };
  },
);

export type InvitationFormState = {
  message?: string;
  fieldErrors?: { tenantHint?: string; expiresInDays?: string; note?: string; customerReference?: string; sendTo?: string };
  created?: { link: string; expiresAt: string; tenantHint: string | null; sentTo?: string; customerReference: string | null; knownTenant: KnownTenant | null };
  /** What was typed, given back after a refusal so that the form keeps it. */
  values?: { tenantHint: string; expiresInDays: string; note: string; customerReference: string; sendTo: string };
};

const typed = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

const invitationForm = z.object({
  tenantHint: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined),
    z
      .string()
      .regex(
        TENANT_HINT,
        "Enter the customer's tenant id (a GUID) or a verified domain such as contoso.com, or leave it empty.",
      )
      .max(253, "A domain has at most 253 characters.")
      .optional(),
  ),
  expiresInDays: z.enum(INVITATION_EXPIRY_DAYS.map(String) as [string, ...string[]], { error: `Choose a validity of ${INVITATION_EXPIRY_DAYS.join(", ")} days.` }).transform(Number),
  note: z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined), z.string().max(200, "Keep the note under 200 characters.").refine((v) => !hasNul(v), "Use letters, digits and punctuation only.").optional()),
  customerReference: customerReferenceInput.optional(),
  sendTo: z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined), z.email("Enter the customer administrator's e-mail address, or leave it empty.").max(254).optional()),
});

/** Creates an invitation link (shown once) that starts the consent flow and binds to the first tenant using it. */
export const createInvitationAction = validatedAction(
  {
    args: z.tuple([previousStateArg, formDataArg]),
    guard: () => requireStaff("/console/invitations", "operator"),
    invalid: (): InvitationFormState => ({ message: "The form could not be read. Reload the page and try again." }),
  },
  async (session, [, form]): Promise<InvitationFormState> => {
    const parsed = invitationForm.safeParse({
      tenantHint: form.get("tenantHint"),
      expiresInDays: form.get("expiresInDays"),
      note: form.get("note"),
      customerReference: form.get("customerReference") ?? undefined,
      sendTo: form.get("sendTo") ?? undefined,
    });
    if (!parsed.success) {
    const fieldErrors: NonNullable<InvitationFormState["fieldErrors"]> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as keyof typeof fieldErrors;
      fieldErrors[key] ??= issue.message;
    }
    return {
      fieldErrors,
      values: { tenantHint: typed(form, "tenantHint"), expiresInDays: typed(form, "expiresInDays"), note: typed(form, "note"), customerReference: typed(form, "customerReference"), sendTo: typed(form, "sendTo") },
    };
    }
    const { tenantHint = null, note = null, expiresInDays, customerReference = null, sendTo } = parsed.data;
    const invitation = await createInvitation(staffActor(session), { tenantHint, note, expiresInDays, customerReference });
    // A link for an organisation that is already here still works (it is used up, and applies its reference), but
    // staff may have meant another one: say which tenant it is and where it stands.
    const knownTenant = await knownTenantForHint(tenantHint);
    const link = new URL("/consent", await requestOrigin());
    link.searchParams.set("invitation", invitation.token);
    if (sendTo) await emailInvitation(staffActor(session), { id: invitation.id, link: link.toString(), expiresAt: invitation.expiresAt }, sendTo);
    revalidatePath("/console/invitations");
    return { created: { link: link.toString(), expiresAt: invitation.expiresAt.toISOString(), tenantHint, customerReference, knownTenant, ...(sendTo ? { sentTo: sendTo } : {}) } };
  },
);

/** Withdraws an unused invitation. Destructive, so it needs the admin role. */
export const revokeInvitationAction = validatedAction(
  // An invalid or no longer open invitation changes nothing; the list shows each link's real status.
  { args: z.tuple([formDataArg]), guard: () => requireStaff("/console/invitations", "admin"), invalid: () => undefined },
  async (session, [form]): Promise<void> => {
    const parsed = z.object({ invitationId: z.uuid() }).safeParse({ invitationId: form.get("invitationId") });
    if (parsed.success) await revokeInvitation(staffActor(session), parsed.data.invitationId);
    revalidatePath("/console/invitations");
  },
);

export type CustomerReferenceState = { error?: string; saved?: string | null };

/** Sets the ISV's customer reference on a tenant (what the API and lifecycle events return). Needs the admin role:
 *  a wrong reference sends one customer's events to another's account. */
export const setCustomerReferenceAction = validatedAction(
  {
    args: z.tuple([previousStateArg, formDataArg]),
    guard: () => requireStaff("/console/tenants", "admin"),
    invalid: (): CustomerReferenceState => ({ error: "The form could not be read. Reload the page and try again." }),
  },
  async (session, [, form]): Promise<CustomerReferenceState> => {
    const parsed = z
      .object({ tenantId: z.guid({ error: "That tenant id is not valid." }), customerReference: customerReferenceInput })
      .safeParse({ tenantId: form.get("tenantId"), customerReference: form.get("customerReference") ?? "" });
    if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "The reference is not valid." };
    const { tenantId, customerReference } = parsed.data;
    if (!(await setCustomerReference(staffActor(session), tenantId, customerReference))) return { error: "This tenant does not exist (it may have disconnected)." };
    revalidatePath(`/console/tenants/${tenantId}`);
    return { saved: customerReference };
  },
);
