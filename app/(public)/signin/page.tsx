import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInButton } from "@/app/(public)/_components/sign-in-button";
import { currentSession, isRecentSignIn } from "@/lib/auth/session";
import { LocalTime } from "@/components/ui/local-time";
import { config, signInAvailable } from "@/lib/config";
import { safeReturnPath } from "@/lib/safe-return-path";
import { possessive } from "@/lib/text";

export const metadata: Metadata = { title: "Sign in" };

// next-auth sends errors here as ?error=<type>; each gets a plain explanation and the way forward.
const errorMessages: Record<string, string> = {
  AccessDenied: "Sign-in was refused. Use your organisation's work account.",
  OAuthCallbackError: "Microsoft did not complete the sign-in (it may have been cancelled). Please try again.",
  CallbackRouteError: "The sign-in could not be verified. Please try again; if it keeps failing, contact support.",
  InvalidCheck: "The sign-in took too long or was started in another tab. Please start again.",
  Configuration: "Sign-in is not set up correctly on our side. Please contact support.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const returnTo = safeReturnPath(params.returnTo ?? params.callbackUrl);
  const session = await currentSession();
  // A destructive or setup action sent a signed-in user here for a recent sign-in (lib/auth/session.ts).
  if (session && params.reauth === "1" && !isRecentSignIn(session))
    return <SignInAgain returnTo={returnTo} authenticatedAt={session.authenticatedAt} />;
  if (session) redirect(returnTo);
  const errorKey = typeof params.error === "string" ? params.error : null;
  const message = errorKey ? (errorMessages[errorKey] ?? errorMessages.CallbackRouteError) : null;
  const { appName, vendorName } = config().branding;
  // The console's own sign-in: staff sign in with their work account at the vendor; they connect nothing.
  const forStaff = returnTo === "/console" || returnTo.startsWith("/console/") || returnTo.startsWith("/console?");
  return (
    <section className="mx-auto max-w-lg px-4 py-16 sm:px-6 sm:py-20">
      <h1 className="text-3xl font-bold text-slate-900">{forStaff ? "Sign in to the support console" : "Sign in"}</h1>
      <p className="mt-3 text-slate-600">
        {forStaff
          ? `For ${possessive(vendorName)} support staff: use your ${vendorName} work account. It needs a support role in ${possessive(appName)} app registration.`
          : `Use the Microsoft work or school account of your organisation to connect it to ${appName}.`}
      </p>
      {message ? (
        <p role="alert" className="mt-6 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          {message}
        </p>
      ) : null}
      <div className="mt-8">
        {signInAvailable() ? (
          <SignInButton returnTo={returnTo} />
        ) : (
          <p role="status" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
            Sign-in is not available: this portal has no Microsoft Entra ID application configured. Run it with{" "}
            <code>npm run demo</code>, or set the ENTRA_* variables described in the README.
          </p>
        )}
      </div>
    </section>
  );
}

function SignInAgain({ returnTo, authenticatedAt }: { returnTo: string; authenticatedAt: Date }) {
  const minutes = Math.round(config().reauthMaxAgeSeconds / 60);
  return (
    <section className="mx-auto max-w-lg px-4 py-16 sm:px-6 sm:py-20">
      <h1 className="text-3xl font-bold text-slate-900">Sign in again to continue</h1>
      <p className="mt-3 text-slate-600">
        This step changes a connection or removes something, so it needs a sign-in from the last {minutes} minutes: your
        roles are checked again with Microsoft. You last signed in with your credentials on{" "}
        <LocalTime date={authenticatedAt} />.
      </p>
      <p className="mt-3 text-slate-600">Microsoft asks for your credentials; then you come back to where you were.</p>
      <div className="mt-8">
        <SignInButton returnTo={returnTo} reauth label="Sign in again with Microsoft" />
      </div>
    </section>
  );
}
