import "server-only";

// A check as the customer's pages and the browser see it: each failing or warning step says who can fix it, and
// the diagnosis id of ours (for staff and reports) is dropped here, before anything is rendered or sent.
import { whoCanFix } from "@/lib/checks/diagnoses";
import { config } from "@/lib/config";
import type { CustomerCheck } from "@/lib/data/checks";

type WithDiagnosis = { diagnosis: string | null; customerCause: string | null };

export function customerStepView<S extends WithDiagnosis>(step: S): Omit<S, "diagnosis"> & { whoCanFix: string | null } {
  const { diagnosis, ...rest } = step;
  return { ...rest, whoCanFix: step.customerCause ? whoCanFix(diagnosis, config()) : null };
}

export function customerCheckView<C extends Pick<CustomerCheck, "steps">>(check: C) {
  return { ...check, steps: check.steps.map(customerStepView) };
}
