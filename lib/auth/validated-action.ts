import "server-only";

// Every server action goes through validatedAction(): anyone can POST any id with any arguments (a form
// posted without its state, a FormData action called with a string or nothing), so the raw argument list is
// checked with zod at run time, after the action's own guard, and a wrong shape gets the action's typed
// "invalid" answer instead of a TypeError (which Next would turn into a 500).
import { z } from "zod";
import { markRefusal, refusalStatusOf } from "@/lib/http/refusal";

/** A FormData argument (what a `<form action>` or useActionState passes). */
export const formDataArg = z.instanceof(FormData, { error: "Expected form data." });

/** The state useActionState passes back in: whatever the action returned last, or the initial state. */
export const previousStateArg = z.unknown();

type Options<Args extends z.ZodTuple, Session, Result> = {
  /** The raw argument list, e.g. z.tuple([previousStateArg, formDataArg]). Extra arguments are refused. */
  args: Args;
  /** The action's access check (requireCustomerAdmin, requireStaff, …); runs first, so a signed-out or
   *  forbidden caller gets the usual redirect or 403 whatever the arguments. */
  guard: () => Promise<Session>;
  /** The answer to arguments of the wrong shape: a typed error state, or a redirect. */
  invalid: (error: z.ZodError) => Result | Promise<Result>;
};

export function validatedAction<Args extends z.ZodTuple, Session, Result>(
  { args, guard, invalid }: Options<Args, Session, Result>,
  run: (session: Session, input: z.output<Args>) => Promise<Result>,
): (...input: z.input<Args>) => Promise<Result> {
  return async (...raw: unknown[]) => {
    let session: Session;
    try {
      session = await guard();
    } catch (error) {
      // A refusal is an HTTP 403 (401) whatever the transport; Next alone sends 200 or 404 for some (lib/http/refusal.ts).
      const refusal = refusalStatusOf(error);
      if (refusal) markRefusal(refusal);
      throw error;
    }
    const parsed = args.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    return run(session, parsed.data);
  };
}
