import { signInWithMicrosoft } from "@/app/(public)/actions";
import { buttonClass } from "@/components/ui/button";

type Props = {
  returnTo?: string;
  source?: string | null;
  invitation?: string | null;
  tenant?: string | null;
  chooseAccount?: boolean;
  /** Sign the signed-in user in again (destructive and setup actions want a recent sign-in). */
  reauth?: boolean;
  label?: string;
};

/** A form, not a link: the sign-in starts with a POST so it cannot be triggered cross-site by a GET. */
export function SignInButton({
  returnTo = "/onboarding",
  source,
  invitation,
  tenant,
  chooseAccount,
  reauth,
  label = "Sign in with Microsoft",
}: Props) {
  return (
    <form action={signInWithMicrosoft}>
      <input type="hidden" name="returnTo" value={returnTo} />
      {source ? <input type="hidden" name="source" value={source} /> : null}
      {invitation ? <input type="hidden" name="invitation" value={invitation} /> : null}
      {tenant ? <input type="hidden" name="tenant" value={tenant} /> : null}
      {chooseAccount ? <input type="hidden" name="chooseAccount" value="1" /> : null}
      {reauth ? <input type="hidden" name="reauth" value="1" /> : null}
      <button type="submit" className={buttonClass("dark", "md", "gap-3")}>
        <svg aria-hidden width="18" height="18" viewBox="0 0 21 21">
          <rect x="1" y="1" width="9" height="9" fill="#f25022" />
          <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
          <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
          <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
        </svg>
        {label}
      </button>
    </form>
  );
}
