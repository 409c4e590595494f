"use server";

import { redirect } from "next/navigation";
import { rememberSignInOrigin } from "@/lib/auth/sign-in-origin";
import { ENTRA_PROVIDER_ID, signIn, signOut } from "@/lib/auth/next-auth";
import { currentSession } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { endSession } from "@/lib/data/sessions";
import { safeReturnPath } from "@/lib/safe-return-path";
import { z } from "zod";
import { formDataArg, validatedAction } from "@/lib/auth/validated-action";
import { optionalText, plainFormAction } from "@/lib/auth/form-action";

// Every field may be empty or absent (a sign-in button carries only some of them); none can make the form fail.
const text = optionalText(z.string());
const signInForm = z.object({
  source: text,
  invitation: text,
  tenant: text,
  chooseAccount: text,
  reauth: text,
  returnTo: text,
});

/** "Sign in with Microsoft": remembers where the admin came from, then redirects to Entra ID. */
export const signInWithMicrosoft = plainFormAction(
  // Public: anyone may start a sign-in, so there is nothing to guard; a call without a form starts over.
  {
    fields: signInForm,
    guard: async () => null,
    invalid: () => redirect("/signin"),
    refused: () => redirect("/signin"),
  },
  async (_none, { source, invitation, tenant: loginHint, chooseAccount, reauth, returnTo }) => {
    await rememberSignInOrigin(source ?? null, invitation ?? null);
    const authorizationParams: Record<string, string> = {};
    if (chooseAccount) authorizationParams.prompt = "select_account";
    // A domain hint skips the account picker's home-realm discovery for that organisation.
    if (loginHint && loginHint.includes(".")) authorizationParams.domain_hint = loginHint;
    // Signing the signed-in user in again: Entra asks for the credentials (prompt=login) and vouches for it with
    // auth_time (max_age), for the same account (docs/protocol/entra.md "Re-authentication").
    const current = reauth ? await currentSession() : null;
    if (current) {
      authorizationParams.prompt = "login";
      authorizationParams.max_age = String(config().reauthMaxAgeSeconds);
      if (current.userPrincipalName) authorizationParams.login_hint = current.userPrincipalName;
    }
    await signIn(ENTRA_PROVIDER_ID, { redirectTo: safeReturnPath(returnTo ?? null) }, authorizationParams);
  },
);

/** "Sign out", for customers and staff alike: the server-side session ends, then the cookie. */
export const signOutAction = validatedAction(
  // The sign-out form's data carries nothing; a call of any other shape changes nothing.
  { args: z.tuple([formDataArg.optional()]), guard: currentSession, invalid: () => redirect("/") },
  async (session) => {
    if (session) await endSession(session);
    await signOut({ redirectTo: "/" });
  },
);
