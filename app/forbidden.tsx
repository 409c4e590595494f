import Link from "next/link";
import { SignInButton } from "@/app/(public)/_components/sign-in-button";
import { describeAdministrators } from "@/lib/auth/customer-roles";
import { currentSession, isStaffWith } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { possessive } from "@/lib/text";

// 403 for a signed-in account that may not see or do this: it names the role that would open it and offers
// to continue with another account (Microsoft's account picker), since the usual cause is the wrong account.
export default async function Forbidden() {
  const session = await currentSession();
  const c = config();
  const { supportOperatorRole, supportAdminRole, customerAdminRoleIds } = c.entra;
  const { appName, vendorName } = c.branding;
  const explanation = !session
    ? "This page needs a signed-in account with the right role."
    : session.kind === "staff"
      ? // Only an account without the admin role is told it lacks it (staff on customer pages are sent to the console).
        isStaffWith(session, "operator") && !isStaffWith(session, "admin")
        ? `This needs the app role ${supportAdminRole} in ${possessive(vendorName)} tenant; your account holds ${supportOperatorRole} only. A support admin can assign it (Microsoft Entra admin center → Enterprise applications → ${appName} → Users and groups).`
        : isStaffWith(session, "admin")
          ? `Customer pages are for your customers' accounts; as ${possessive(vendorName)} support staff you work in the support console.`
          : `The support console needs the app role ${supportOperatorRole} or ${supportAdminRole}. Customer pages are for your customers' accounts, not ${possessive(vendorName)} staff.`
      : !session.tenantAdmin
        ? `Changing your organisation's connection needs ${describeAdministrators(customerAdminRoleIds)} role in Microsoft Entra ID; your account holds none of them, so it can read the connection but not change it. The support console is for ${possessive(vendorName)} staff (app role ${supportOperatorRole}).`
        : `This page is for ${possessive(vendorName)} support staff (app role ${supportOperatorRole}); your account belongs to a customer organisation.`;
  return (
    <section className="mx-auto max-w-2xl px-4 py-16 text-center sm:px-6 sm:py-20">
      <h1 className="text-2xl font-bold text-slate-900">You don&rsquo;t have access to this page</h1>
      <p className="mt-4 text-slate-700">{explanation}</p>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-4">
        <SignInButton chooseAccount returnTo="/" label="Use another account" />
        <Link href="/" className="text-brand-700 underline">
          Back to the start
        </Link>
      </div>
    </section>
  );
}
