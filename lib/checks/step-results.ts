import "server-only";

// What each step of the connection check stores: `CheckStep.result` (what it found, shown to the customer) and
// `CheckStep.vendorDetail` (Microsoft's identifiers and the raw error, for support staff only). One schema per
// step and column, the one description of those JSON values: the runner parses with it when it writes a step
// (a shape no step should write is a bug, caught there), and every reader parses with it when it reads one.
// The stored JSON is exactly what the steps always wrote (no migration).
import { z } from "zod";
import { isCheckStep, PRIVILEGE_DEPTHS, type CheckStepName } from "@/lib/checks/vocabulary";

// ------------------------------------------------------------------ results (shown to the customer)

/** Retry-After waits Dataverse asked for (service protection): added to the result of the next step settled. */
const throttledWaitsSeconds = z.array(z.number());
const result = <T extends z.ZodRawShape>(fields: T) =>
  z.strictObject({ ...fields, throttledWaitsSeconds: throttledWaitsSeconds.optional() });

/** Why the step did not run (any step can be skipped, e.g. after the check stopped early). */
const skippedResult = result({ reason: z.string() });
/** A step with nothing of its own to show (it failed), settled after Dataverse made the check wait. */
const waitedResult = z.strictObject({ throttledWaitsSeconds });

const tokenResult = result({ fromCache: z.boolean(), consentProven: z.literal(true).optional() });
const whoAmIResult = z.union([
  result({ userId: z.string(), organizationId: z.string() }),
  result({ note: z.string() }),
]);
const applicationUserResult = z.union([
  result({ systemUserId: z.string(), name: z.string().nullable(), accessMode: z.number().nullable() }),
  // Found and enabled by WhoAmI; its row could not be read for lack of a privilege.
  result({ systemUserId: z.string(), note: z.string() }),
]);
/** The roles the application user holds ("roles" and "least-privilege"). */
const rolesResult = result({ roles: z.array(z.string()) });
const privilegesResult = result({ checked: z.array(z.string()) });
const sampleReadResult = result({ accounts: z.array(z.string()) });

const stepResult = <T extends z.ZodType>(found: T) => z.union([found, skippedResult, waitedResult]);

/** Each step's result: what it found, why it was skipped, or only the waits before it failed. */
export const STEP_RESULTS = {
  token: stepResult(tokenResult),
  whoami: stepResult(whoAmIResult),
  "application-user": stepResult(applicationUserResult),
  roles: stepResult(rolesResult),
  "least-privilege": stepResult(rolesResult),
  privileges: stepResult(privilegesResult),
  "sample-read": stepResult(sampleReadResult),
} satisfies Record<CheckStepName, z.ZodType>;

export type StepResultOf<N extends CheckStepName> = z.infer<(typeof STEP_RESULTS)[N]>;
export type StepResult = StepResultOf<CheckStepName>;

// ------------------------------------------------------------------ vendor detail (support staff only)

/** Dataverse answered with an error (lib/dataverse/web-api.ts DataverseError). */
const dataverseErrorDetail = z.strictObject({
  service: z.literal("dataverse"),
  httpStatus: z.number(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  retryAfterSeconds: z.number().nullable(),
  requestId: z.string().nullable(),
});
/** Dataverse's answer could not be read (DataverseProtocolError): the start of what came back. */
const dataverseProtocolDetail = z.strictObject({
  service: z.literal("dataverse"),
  httpStatus: z.number(),
  error: z.string(),
  message: z.string(),
  excerpt: z.string(),
});
/** The portal's own error: its name, message and the top of its stack. */
const portalErrorDetail = z.strictObject({
  service: z.literal("portal"),
  error: z.string(),
  message: z.string(),
  stack: z.string().nullable(),
});
/** Something thrown that is not an Error. */
const portalValueDetail = z.strictObject({ service: z.literal("portal"), message: z.string() });
/** Entra ID's error answer (lib/entra/token-errors.ts EntraErrorDetail). */
const entraErrorDetail = z.strictObject({
  service: z.literal("entra"),
  httpStatus: z.number(),
  error: z.string().nullable(),
  aadstsCode: z.number().nullable(),
  description: z.string().nullable(),
  traceId: z.string().nullable(),
  correlationId: z.string().nullable(),
  timestamp: z.string().nullable(),
});

/** Any error a step can fail with (lib/checks/steps.ts vendorDetailOf). */
const errorDetail = z.union([dataverseErrorDetail, dataverseProtocolDetail, portalErrorDetail, portalValueDetail]);
export type ErrorDetail = z.infer<typeof errorDetail>;

/** Which request failed, when it was not the step's own: the consent proof's fresh token. */
const request = { request: z.string() };
/** The consent proof's token was issued without the app's permission in it: consent was removed. */
const consentNotInTokenDetail = z.strictObject({
  service: z.literal("entra"),
  ...request,
  tokenIssued: z.literal(true),
  adminPermissionInToken: z.literal(false),
});
const tokenDetail = z.union([
  entraErrorDetail,
  errorDetail,
  entraErrorDetail.extend(request),
  dataverseErrorDetail.extend(request),
  dataverseProtocolDetail.extend(request),
  portalErrorDetail.extend(request),
  portalValueDetail.extend(request),
  consentNotInTokenDetail,
]);
/** The Dataverse user for the app is another app's, or disabled. */
const applicationUserDetail = z.union([
  errorDetail,
  z.strictObject({ systemuserid: z.string(), applicationid: z.string().nullable() }),
  z.strictObject({ systemuserid: z.string(), isdisabled: z.literal(true) }),
]);
/** The required privileges the role lacks, each with the depth it holds (null: none), and how many it holds. */
const privilegesDetail = z.union([
  errorDetail,
  z.strictObject({
    missing: z.array(
      z.strictObject({ name: z.string(), depth: z.enum(PRIVILEGE_DEPTHS), held: z.enum(PRIVILEGE_DEPTHS).nullable() }),
    ),
    heldCount: z.number(),
  }),
]);

export const VENDOR_DETAILS = {
  token: tokenDetail,
  whoami: errorDetail,
  "application-user": applicationUserDetail,
  roles: errorDetail,
  "least-privilege": errorDetail,
  privileges: privilegesDetail,
  "sample-read": errorDetail,
} satisfies Record<CheckStepName, z.ZodType>;

export type VendorDetailOf<N extends CheckStepName> = z.infer<(typeof VENDOR_DETAILS)[N]>;
export type VendorDetail = VendorDetailOf<CheckStepName>;

// ------------------------------------------------------------------ writing and reading

/** The step's result as it is stored; throws when the step should never write that shape (a bug in the runner). */
export function storedStepResult(name: CheckStepName, value: StepResult): StepResult {
  return STEP_RESULTS[name].parse(value);
}

/** The step's vendor detail as it is stored; throws when the step should never write that shape. */
export function storedVendorDetail(name: CheckStepName, value: VendorDetail): VendorDetail {
  return VENDOR_DETAILS[name].parse(value);
}

// Reading never throws: a row written by an older version in another shape (or by hand) is shown as having no
// detail, rather than failing the page, the API's answer or the console's history around it.

/** A stored step's result, or null when it has none or none in a shape this version knows. */
export function readStepResult(name: string, stored: unknown): StepResult | null {
  if (stored == null || !isCheckStep(name)) return null;
  const parsed = STEP_RESULTS[name].safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** A stored step's vendor detail, or null when it has none or none in a shape this version knows. */
export function readVendorDetail(name: string, stored: unknown): VendorDetail | null {
  if (stored == null || !isCheckStep(name)) return null;
  const parsed = VENDOR_DETAILS[name].safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** A step row read for support staff, its result and vendor detail typed (or null, as above). */
export function readSupportStep<S extends { name: string; result: unknown; vendorDetail: unknown }>(
  step: S,
): Omit<S, "result" | "vendorDetail"> & { result: StepResult | null; vendorDetail: VendorDetail | null } {
  return {
    ...step,
    result: readStepResult(step.name, step.result),
    vendorDetail: readVendorDetail(step.name, step.vendorDetail),
  };
}
