import type { Metadata } from "next";
import { SignInButton } from "@/app/(public)/_components/sign-in-button";
import { possessive } from "@/lib/text";
import { config } from "@/lib/config";

export const metadata: Metadata = { title: "This account cannot sign in" };

export default async function SignInRefusedPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { reason } = await searchParams;
  const c = config();
  const { appName, vendorName } = c.branding;
  const content =
    reason === "home-tenant-no-role"
      ? {
          title: "This account has no role in the support console",
          body: `You signed in with an account of ${possessive(vendorName)} own organisation. Its users work in the support console, which needs the app role ${c.entra.supportOperatorRole} (view and re-run checks) or ${c.entra.supportAdminRole} (also destructive actions); this account holds neither, and ${possessive(vendorName)} own tenant is never a customer of this portal. Ask an administrator of your tenant to assign you one of these roles (Microsoft Entra admin center → Enterprise applications → ${appName} → Users and groups), then sign in again.`,
        }
      : reason === "personal-account"
        ? {
            title: "Personal Microsoft accounts can't connect an organisation",
            body: `You signed in with a personal Microsoft account (such as outlook.com or hotmail.com). ${appName} connects to your organisation's Dataverse, so it needs the work or school account your organisation gave you — usually name@yourcompany.com or name@yourcompany.onmicrosoft.com.`,
          }
        : reason === "other-tenant"
          ? {
              title: "This portal is for one organisation only",
              body: `This installation of ${appName} accepts accounts of ${possessive(vendorName)} own Microsoft Entra ID tenant only. Sign in with an account of that organisation.`,
            }
          : {
              title: "This account cannot sign in",
              body: "Microsoft did not tell us which organisation and user this account belongs to. Sign in with a work or school account.",
            };
  return (
    <section className="mx-auto max-w-2xl px-4 py-16 sm:px-6 sm:py-20">
      <h1 className="text-3xl font-bold text-slate-900">{content.title}</h1>
      <p className="mt-4 text-slate-700">{content.body}</p>
      <p className="mt-4 text-slate-700">Nothing was recorded about this account.</p>
      <div className="mt-8">
        <SignInButton chooseAccount label="Sign in with another account" />
      </div>
    </section>
  );
}
