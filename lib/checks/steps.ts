import "server-only";

// The check's steps as functions: each one reads the facts gathered from Entra ID and Dataverse so far and
// returns its verdict, or PENDING while the facts it needs have not arrived. Pure: no I/O, so the runner
// (lib/checks/run.ts) can settle steps after every round trip and a unit test can drive each rule.
//
// One diagnosis per cause: the first FAILED step blocks the steps after it (SKIPPED, saying why), except
// "least-privilege", which still reports System Administrator when the required role is missing.
import {
  applicationUserDisabled,
  consentRemovedDiagnosis,
  diagnoseDataverseFailure,
  diagnoseTokenFailure,
  interactiveAccessMode,
  notTheApplicationUser,
  privilegeRefusal,
  privilegesMissing,
  requiredPrivilegeFor,
  roleMissing,
  systemAdministratorHeld,
  type Diagnosis,
  type DiagnosisContext,
} from "@/lib/checks/diagnoses";
import type { ErrorDetail, StepResult, VendorDetail } from "@/lib/checks/step-results";
import {
  CHECK_STEPS,
  depthReaches,
  describePrivilege,
  PRIVILEGE_DEPTHS,
  skipReason,
  type CheckStepName,
  type PrivilegeDepth,
  type RequiredPrivilege,
} from "@/lib/checks/vocabulary";
import { DataverseError, DataverseProtocolError } from "@/lib/dataverse/web-api";
import { consentGone, NO_SERVICE_PRINCIPAL_CODES, type ConsentProof } from "@/lib/entra/consent-proof";
import type { EntraErrorDetail } from "@/lib/entra/token-errors";
import type { StepOutcome } from "@/lib/generated/prisma/client";

export const SYSTEM_ADMINISTRATOR_ROLE = "System Administrator";
/** Dataverse's access mode "Non-interactive", the mode of application users (docs/protocol/dataverse.md). */
const NON_INTERACTIVE = 4;

export type Fetched<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type WhoAmI = { UserId: string; BusinessUnitId: string; OrganizationId: string };
export type SystemUser = {
  systemuserid: string;
  fullname?: string;
  applicationid?: string | null;
  isdisabled?: boolean;
  accessmode?: number;
  systemuserroles_association?: Array<{ roleid: string; name: string }>;
};
export type UserPrivileges = { RolePrivileges?: Array<{ PrivilegeName: string; Depth: string }> };
export type Accounts = { value?: Array<{ name?: string | null }> };

/** What the check learnt so far. Undefined = not asked yet. */
export type CheckFacts = {
  token?: Fetched<{ fromCache: boolean }> & { entra?: EntraErrorDetail | null };
  /** The fresh token request that proves admin consent again (lib/entra/consent-proof.ts); null: not asked, the
   * tenant's consent was never proven. */
  consent?: ConsentProof | null;
  whoAmI?: Fetched<WhoAmI>;
  user?: Fetched<SystemUser>;
  privileges?: Fetched<UserPrivileges>;
  accounts?: Fetched<Accounts>;
};

export type StepVerdict = {
  outcome: StepOutcome;
  diagnosis?: Diagnosis;
  /** Shown to the customer (e.g. the sample accounts); each step's shapes are in lib/checks/step-results.ts. */
  result?: StepResult;
  /** For support staff only. */
  vendorDetail?: VendorDetail;
};

export const PENDING = Symbol("pending");

export type StepContext = DiagnosisContext & { required: RequiredPrivilege[]; blockedBy: CheckStepName | null };

type Evaluate = (facts: CheckFacts, ctx: StepContext) => StepVerdict | typeof PENDING;

/** What support staff see of an error: Microsoft's identifiers and message, never a token. */
export function vendorDetailOf(error: unknown): ErrorDetail {
  if (error instanceof DataverseError) {
    return {
      service: "dataverse",
      httpStatus: error.status,
      code: error.code,
      message: error.serverMessage,
      retryAfterSeconds: error.retryAfterSeconds,
      requestId: error.requestId,
    };
  }
  if (error instanceof DataverseProtocolError)
    return {
      service: "dataverse",
      httpStatus: error.httpStatus,
      error: error.name,
      message: error.message,
      excerpt: error.excerpt,
    };
  if (error instanceof Error)
    return {
      service: "portal",
      error: error.name,
      message: error.message,
      stack: error.stack?.split("\n").slice(0, 6).join("\n") ?? null,
    };
  return { service: "portal", message: String(error) };
}

const skipped = (ctx: StepContext): StepVerdict => ({
  outcome: "SKIPPED",
  result: { reason: skipReason(ctx.blockedBy ?? "unexpected") },
});
const failed = (diagnosis: Diagnosis, error?: unknown): StepVerdict => ({
  outcome: "FAILED",
  diagnosis,
  ...(error !== undefined ? { vendorDetail: vendorDetailOf(error) } : {}),
});

/** Dataverse answered WhoAmI with 403: it accepted the token but has no (enabled) user for the app. */
function whoAmIRefusedUser(facts: CheckFacts): unknown {
  const w = facts.whoAmI;
  return w && !w.ok && w.error instanceof DataverseError && w.error.status === 403 ? w.error : null;
}

/** The user row could not be read for lack of a privilege: WhoAmI proved the user, its roles stay unknown. */
function userRefusal(facts: CheckFacts) {
  const u = facts.user;
  return u && !u.ok ? privilegeRefusal(u.error) : null;
}

const heldRoles = (user: SystemUser) => (user.systemuserroles_association ?? []).map((r) => r.name);

// Keyed by step: the compiler checks that every step of the vocabulary has exactly one evaluator.
const EVALUATORS: Record<CheckStepName, Evaluate> = {
  token(facts, ctx) {
    const token = facts.token;
    const proof = facts.consent;
    // Decided with the consent proof, which runs beside the first Dataverse round trip: a token from MSAL's cache
    // proves nothing about consent now (docs/protocol/entra.md "Consent removed").
    if (!token || proof === undefined) return PENDING;
    if (!token.ok) {
      const code = token.entra?.aadstsCode;
      // Consent proven before, and Entra now has no service principal for the app: it was removed.
      const removed = proof !== null && ((code != null && NO_SERVICE_PRINCIPAL_CODES.has(code)) || consentGone(proof));
      return {
        outcome: "FAILED",
        diagnosis: removed
          ? consentRemovedDiagnosis(ctx, code != null ? `AADSTS${code}` : null)
          : diagnoseTokenFailure(ctx, token.entra ?? null, token.error),
        vendorDetail: token.entra ? { service: "entra", ...token.entra } : vendorDetailOf(token.error),
      };
    }
    if (proof && !proof.ok) {
      const code = proof.entra?.aadstsCode;
      return {
        outcome: "FAILED",
        diagnosis: consentGone(proof)
          ? consentRemovedDiagnosis(ctx, code != null ? `AADSTS${code}` : null)
          : diagnoseTokenFailure(ctx, proof.entra, proof.error),
        vendorDetail: {
          request: "consent proof (fresh token for the app itself)",
          ...(proof.entra ? { service: "entra", ...proof.entra } : vendorDetailOf(proof.error)),
        },
      };
    }
    if (proof && !proof.roleGranted) {
      return {
        outcome: "FAILED",
        diagnosis: consentRemovedDiagnosis(ctx, null),
        vendorDetail: {
          service: "entra",
          request: "consent proof (fresh token for the app itself)",
          tokenIssued: true,
          adminPermissionInToken: false,
        },
      };
    }
    return {
      outcome: "PASSED",
      result: { fromCache: token.value.fromCache, ...(proof ? { consentProven: true } : {}) },
    };
  },
  whoami(facts, ctx) {
    if (ctx.blockedBy) return skipped(ctx);
    const w = facts.whoAmI;
    if (!w) return PENDING;
    if (w.ok) return { outcome: "PASSED", result: { userId: w.value.UserId, organizationId: w.value.OrganizationId } };
    // A 403 means Dataverse accepted the token; the cause is the application user, reported there.
    if (whoAmIRefusedUser(facts)) return { outcome: "PASSED", result: { note: "Dataverse accepted the token." } };
    return failed(diagnoseDataverseFailure(ctx, ctx.required, w.error), w.error);
  },
  "application-user"(facts, ctx) {
    if (ctx.blockedBy) return skipped(ctx);
    const refused = whoAmIRefusedUser(facts);
    if (refused) return failed(diagnoseDataverseFailure(ctx, ctx.required, refused), refused);
    const u = facts.user;
    if (!u) return PENDING;
    if (!u.ok) {
      if (userRefusal(facts) && facts.whoAmI?.ok) {
        return {
          outcome: "PASSED",
          result: {
            systemUserId: facts.whoAmI.value.UserId,
            note: "Found and enabled (WhoAmI); its details need the privileges below.",
          },
        };
      }
      return failed(diagnoseDataverseFailure(ctx, ctx.required, u.error), u.error);
    }
    const user = u.value;
    if (user.applicationid?.toLowerCase() !== ctx.clientId?.toLowerCase()) {
      return {
        outcome: "FAILED",
        diagnosis: notTheApplicationUser(ctx),
        vendorDetail: { systemuserid: user.systemuserid, applicationid: user.applicationid ?? null },
      };
    }
    if (user.isdisabled)
      return {
        outcome: "FAILED",
        diagnosis: applicationUserDisabled(ctx, null),
        vendorDetail: { systemuserid: user.systemuserid, isdisabled: true },
      };
    const result = {
      systemUserId: user.systemuserid,
      name: user.fullname ?? null,
      accessMode: user.accessmode ?? null,
    };
    if (user.accessmode !== NON_INTERACTIVE) return { outcome: "WARNING", diagnosis: interactiveAccessMode(), result };
    return { outcome: "PASSED", result };
  },
  roles(facts, ctx) {
    if (ctx.blockedBy) return skipped(ctx);
    const u = facts.user;
    if (!u) return PENDING;
    if (!u.ok) {
      const refusal = userRefusal(facts);
      // The refusal counts the caller's roles: none at all is the cause to fix first.
      if (refusal?.kind === "missing" && refusal.roleCount === 0)
        return { outcome: "FAILED", diagnosis: roleMissing(ctx, []), vendorDetail: vendorDetailOf(u.error) };
      const privilege = refusal ? requiredPrivilegeFor(refusal, ctx.required) : null;
      return {
        outcome: "SKIPPED",
        result: {
          reason: `Not checked: reading the roles needs ${privilege ? describePrivilege(privilege) : "a read privilege"} (see Required privileges).`,
        },
      };
    }
    const roles = heldRoles(u.value);
    if (roles.some((r) => r.toLowerCase() === ctx.roleName.toLowerCase()))
      return { outcome: "PASSED", result: { roles } };
    return { outcome: "FAILED", diagnosis: roleMissing(ctx, roles), result: { roles } };
  },
  "least-privilege"(facts, ctx) {
    // Still reported when only the role is missing: a System Administrator app user is worth knowing at once.
    if (ctx.blockedBy && ctx.blockedBy !== "roles") return skipped(ctx);
    const u = facts.user;
    if (!u) return PENDING;
    if (!u.ok) {
      const refusal = userRefusal(facts);
      if (refusal?.kind === "missing" && refusal.roleCount === 0) return { outcome: "PASSED", result: { roles: [] } };
      return ctx.blockedBy
        ? skipped(ctx)
        : {
            outcome: "SKIPPED",
            result: { reason: "Not checked: the roles could not be read (see Required privileges)." },
          };
    }
    const roles = heldRoles(u.value);
    if (roles.some((r) => r.toLowerCase() === SYSTEM_ADMINISTRATOR_ROLE.toLowerCase()))
      return { outcome: "WARNING", diagnosis: systemAdministratorHeld(ctx), result: { roles } };
    return { outcome: "PASSED", result: { roles } };
  },
  privileges(facts, ctx) {
    if (ctx.blockedBy) return skipped(ctx);
    const u = facts.user;
    if (u && !u.ok && userRefusal(facts)) return failed(diagnoseDataverseFailure(ctx, ctx.required, u.error), u.error);
    const p = facts.privileges;
    if (!p) return PENDING;
    if (!p.ok) return failed(diagnoseDataverseFailure(ctx, ctx.required, p.error), p.error);
    const held = new Map<string, PrivilegeDepth>();
    for (const entry of p.value.RolePrivileges ?? []) {
      const depth = PRIVILEGE_DEPTHS.find((d) => d === entry.Depth);
      if (depth) held.set(entry.PrivilegeName.toLowerCase(), depth);
    }
    const missing = ctx.required
      .map((r) => ({ ...r, held: held.get(r.name.toLowerCase()) ?? null }))
      .filter((r) => !r.held || !depthReaches(r.held, r.depth));
    if (missing.length)
      return {
        outcome: "FAILED",
        diagnosis: privilegesMissing(ctx, missing),
        vendorDetail: { missing, heldCount: held.size },
      };
    return { outcome: "PASSED", result: { checked: ctx.required.map(describePrivilege) } };
  },
  "sample-read"(facts, ctx) {
    if (ctx.blockedBy) return skipped(ctx);
    const a = facts.accounts;
    if (!a) return PENDING;
    if (!a.ok) return failed(diagnoseDataverseFailure(ctx, ctx.required, a.error), a.error);
    return { outcome: "PASSED", result: { accounts: (a.value.value ?? []).map((x) => x.name ?? "(no name)") } };
  },
};

/** The steps in the vocabulary's order, each with its evaluator. */
export const STEPS: ReadonlyArray<{ name: CheckStepName; evaluate: Evaluate }> = CHECK_STEPS.map((name) => ({
  name,
  evaluate: EVALUATORS[name],
}));

/** The first FAILED step among settled verdicts: it blocks what follows. */
export function blockingStep(settled: Array<{ name: CheckStepName; verdict: StepVerdict }>): CheckStepName | null {
  return settled.find((s) => s.verdict.outcome === "FAILED")?.name ?? null;
}
