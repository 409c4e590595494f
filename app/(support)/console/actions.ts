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
import {
  createInvitation,
  knownTenantForHint,
  revokeInvitation,
  type KnownTenant,
} from "@/lib/data/support/invitations";
import { customerReferenceInput, setCustomerReference } from "@/lib/data/support/customer-reference";
import { getSupportEnvironment } from "@/lib/data/support/tenants";
import { emailInvitation } from "@/lib/notifications";
import { requestOrigin } from "@/lib/request-origin";
import { hasNul } from "@/lib/text";
import { validatedAction } from "@/lib/auth/validated-action";
import { formAction, optionalText, plainFormAction, type FormState } from "@/lib/auth/form-action";
import { microsoftGuid, TENANT_HINT } from "@/lib/validators";

export type RerunState = { checkId?: string; error?: string };

const rerunInput = z.object({ tenantId: microsoftGuid(), environmentId: z.uuid() });

/** "Re-run check now" on a tenant's environment: the check runs after the answer; the page follows it. */
const INVALID_RERUN = "That tenant or environment id is not valid.";

export const rerunCheckAction = validatedAction(
  {
    args: z.tuple([z.unknown(), z.unknown()]),
    guard: () => requireStaff("/console/tenants", "operator"),
    invalid: (): RerunState => ({ error: INVALID_RERUN }),
  },
  async (session, [tenantId, environmentId]): Promise<RerunState> => {
    const parsed = rerunInput.safeParse({ tenantId, environmentId });
    if (!parsed.success) return { error: INVALID_RERUN };
    const environment = await getSupportEnvironment(parsed.data.tenantId, parsed.data.environmentId);
    if (!environment) return { error: "This environment does not exist (it may have been removed by the customer)." };
    const scope = staffScope(session, environment.tenantId);
    return {
      checkId: await launchCheck(scope, { environmentId: environment.id, environmentUrl: environment.url }, "STAFF"),
    };
  },
);

/** After a refusal, `values` is what was typed, given back so that the form keeps it. */
export type InvitationFormState = FormState<
  "tenantHint" | "expiresInDays" | "note" | "customerReference" | "sendTo"
> & {
  message?: string;
  created?: {
    link: string;
    expiresAt: string;
    tenantHint: string | null;
    sentTo?: string;
    customerReference: string | null;
    knownTenant: KnownTenant | null;
  };
};

const expiryChoice = `Choose a validity of ${INVITATION_EXPIRY_DAYS.join(", ")} days.`;

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
  // The select's value as a number; only the offered choices pass (an empty or absent one is NaN or 0).
  expiresInDays: z.coerce
    .number(expiryChoice)
    .refine((d) => (INVITATION_EXPIRY_DAYS as readonly number[]).includes(d), expiryChoice),
  note: optionalText(
    z
      .string()
      .max(200, "Keep the note under 200 characters.")
      .refine((v) => !hasNul(v), "Use letters, digits and punctuation only."),
  ),
  customerReference: customerReferenceInput.optional(),
  sendTo: optionalText(z.email("Enter the customer administrator's e-mail address, or leave it empty.").max(254)),
});

/** Creates an invitation link (shown once) that starts the consent flow and binds to the first tenant using it. */
export const createInvitationAction = formAction(
  {
    fields: invitationForm,
    guard: () => requireStaff("/console/invitations", "operator"),
    invalid: (): InvitationFormState => ({ message: "The form could not be read. Reload the page and try again." }),
  },
  async (
    session,
    { tenantHint = null, note = null, expiresInDays, customerReference = null, sendTo },
  ): Promise<InvitationFormState> => {
    const invitation = await createInvitation(staffActor(session), {
      tenantHint,
      note,
      expiresInDays,
      customerReference,
    });
    // A link for an organisation that is already here still works (it is used up, and applies its reference), but
    // staff may have meant another one: say which tenant it is and where it stands.
    const knownTenant = await knownTenantForHint(tenantHint);
    const link = new URL("/consent", await requestOrigin());
    link.searchParams.set("invitation", invitation.token);
    if (sendTo)
      await emailInvitation(
        staffActor(session),
        { id: invitation.id, link: link.toString(), expiresAt: invitation.expiresAt },
        sendTo,
      );
    revalidatePath("/console/invitations");
    return {
      created: {
        link: link.toString(),
        expiresAt: invitation.expiresAt.toISOString(),
        tenantHint,
        customerReference,
        knownTenant,
        ...(sendTo ? { sentTo: sendTo } : {}),
      },
    };
  },
);

/** Withdraws an unused invitation. Destructive, so it needs the admin role. */
export const revokeInvitationAction = plainFormAction(
  // An invalid or no longer open invitation changes nothing; the list shows each link's real status.
  {
    fields: z.object({ invitationId: z.uuid() }),
    guard: () => requireStaff("/console/invitations", "admin"),
    invalid: () => undefined,
    refused: () => revalidatePath("/console/invitations"),
  },
  async (session, { invitationId }): Promise<void> => {
    await revokeInvitation(staffActor(session), invitationId);
    revalidatePath("/console/invitations");
  },
);

/** `fieldErrors.tenantId` is about the page's tenant (a hidden field): the form shows it where the reference's would be. */
export type CustomerReferenceState = FormState<"tenantId" | "customerReference"> & { saved?: string | null };

const customerReferenceForm = z.object({
  tenantId: z.guid({ error: "That tenant id is not valid." }),
  // An absent reference is an empty one: it removes the reference.
  customerReference: customerReferenceInput.default(null),
});

/** Sets the ISV's customer reference on a tenant (what the API and lifecycle events return). Needs the admin role:
 *  a wrong reference sends one customer's events to another's account. */
export const setCustomerReferenceAction = formAction(
  {
    fields: customerReferenceForm,
    guard: () => requireStaff("/console/tenants", "admin"),
    invalid: (): CustomerReferenceState => ({
      fieldErrors: { customerReference: "The form could not be read. Reload the page and try again." },
    }),
  },
  async (session, { tenantId, customerReference }, { refuse }): Promise<CustomerReferenceState> => {
    if (!(await setCustomerReference(staffActor(session), tenantId, customerReference)))
      return refuse({ tenantId: "This tenant does not exist (it may have disconnected)." });
    revalidatePath(`/console/tenants/${tenantId}`);
    return { saved: customerReference };
  },
);
