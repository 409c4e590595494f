import Link from "next/link";
import { LogoMark } from "@/components/logo";
import { buttonClass } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { currentSession, isStaffWith } from "@/lib/auth/session";
import { config } from "@/lib/config";

// One line at every width: the mark keeps its shape, the tagline and the vendor's name give way first on a
// phone, and the one call to action depends on who is signed in (staff: the console; a customer: their
// onboarding; nobody: connect an organisation).
export async function SiteHeader() {
  const { appName, vendorName } = config().branding;
  const demo = config().mode === "demo";
  const session = await currentSession();
  const staff = session !== null && isStaffWith(session, "operator");
  const customer = session !== null && session.kind === "customer";
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-3 px-4 py-3 sm:px-6 sm:py-4">
        <Link href="/" className="flex min-w-0 items-center gap-2.5 font-semibold text-slate-900">
          <LogoMark />
          <span className="truncate">
            {appName} <span className="hidden font-normal text-slate-600 md:inline">· Dataverse onboarding</span>
          </span>
        </Link>
        <nav aria-label="Main" className="flex shrink-0 items-center gap-3 text-sm">
          {demo ? (
            <span title="Microsoft endpoints are emulated">
              <Badge tone="warning">Demo</Badge>
            </span>
          ) : null}
          <span className="hidden text-slate-600 lg:inline">by {vendorName}</span>
          {staff ? (
            <Link href="/console" className={buttonClass("dark", "sm")}>
              Support console
            </Link>
          ) : customer ? (
            <Link href="/onboarding" className={buttonClass("secondary", "sm")}>
              Your onboarding
            </Link>
          ) : (
            <Link href="/consent" aria-label="Connect your organisation" className={buttonClass("primary", "sm")}>
              <span className="sm:hidden">Connect</span>
              <span className="hidden sm:inline">Connect your organisation</span>
            </Link>
          )}
        </nav>
      </div>
    </header>
  );
}
