import "server-only";

// The ISV's own id for a customer (a subscription or account number): staff set it on a tenant, an invitation can
// carry it to the tenant that uses it (lib/data/sessions.ts), the API (/api/v1) and lifecycle events return it.
import { z } from "zod";
import { audit } from "@/lib/audit";
import { db } from "@/lib/db/client";
import type { StaffActor } from "@/lib/data/support/invitations";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const CUSTOMER_REFERENCE_MAX = 100;
export const CUSTOMER_REFERENCE_RULE = `Use up to ${CUSTOMER_REFERENCE_MAX} letters, digits, spaces and . _ - : / # @ +, starting with a letter or digit.`;

/** A customer reference as typed in a form: trimmed; empty means none (null). */
export const customerReferenceInput = z.preprocess(
  (v) => (typeof v === "string" ? (v.trim() === "" ? null : v.trim()) : v),
  z
    .string()
    .max(CUSTOMER_REFERENCE_MAX, CUSTOMER_REFERENCE_RULE)
    .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/#@+-]*$/u, CUSTOMER_REFERENCE_RULE)
    .nullable(),
);

/** Sets (or clears, with null) a tenant's customer reference. false when there is no such tenant. Audited. */
export async function setCustomerReference(
  actor: StaffActor,
  tenantId: string,
  reference: string | null,
): Promise<boolean> {
  if (!GUID.test(tenantId)) return false;
  const id = tenantId.toLowerCase();
  return db().$transaction(async (tx) => {
    const tenant = await tx.tenant.findUnique({ where: { id }, select: { customerReference: true } });
    if (!tenant) return false;
    if (tenant.customerReference === reference) return true;
    await tx.tenant.update({ where: { id }, data: { customerReference: reference }, select: { id: true } });
    await audit(
      {
        actor,
        tenantId: id,
        action: "tenant.customer_reference_set",
        target: { type: "tenant", id },
        details: { from: tenant.customerReference, to: reference },
      },
      tx,
    );
    return true;
  });
}
