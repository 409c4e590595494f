import "server-only";

// A check as the customer's pages and the browser see it: each failing or warning step says who can fix it, its
// result is read with its step's schema (lib/checks/step-results.ts), and the diagnosis id of ours (for staff and
// reports) is dropped here, before anything is rendered or sent.
import { whoCanFix } from "@/lib/checks/diagnoses";
import { readStepResult, type StepResult } from "@/lib/checks/step-results";
import { config } from "@/lib/config";
import type { CustomerCheck } from "@/lib/data/checks";

type StoredStep = { name: string; diagnosis: string | null; customerCause: string | null; result: unknown };

export function customerStepView<S extends StoredStep>(
  step: S,
): Omit<S, "diagnosis" | "result"> & { result: StepResult | null; whoCanFix: string | null } {
  const { diagnosis, result, ...rest } = step;
  return {
    ...rest,
    result: readStepResult(step.name, result),
    whoCanFix: step.customerCause ? whoCanFix(diagnosis, config()) : null,
  };
}

export function customerCheckView<C extends Pick<CustomerCheck, "steps">>(check: C) {
  return { ...check, steps: check.steps.map(customerStepView) };
}
