import Link from "next/link";
import { currentSession, isStaffWith } from "@/lib/auth/session";
import { config } from "@/lib/config";

export async function SiteHeader() {
  const { appName, vendorName } = config().branding;
  const demo = config().mode === "demo";
  const session = await currentSession();
  const staff = session !== null && isStaffWith(session, "operator");
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-6 py-4">
        <Link href="/" className="flex items-center gap-3 font-semibold text-slate-900">
          <span aria-hidden className="grid h-8 w-8 place-items-center rounded-lg bg-brand-600 text-sm font-bold text-white">
            {appName.slice(0, 1)}
          </span>
          <span>
            {appName} <span className="font-normal text-slate-500">· Dataverse onboarding</span>
          </span>
        </Link>
        <nav aria-label="Main" className="flex items-center gap-4 text-sm">
          {demo ? (
            <span className="rounded-full bg-amber-100 px-2.5 py-1 text-xs font-medium text-amber-900" title="Microsoft endpoints are emulated">
              Demo
            </span>
          ) : null}
          <span className="hidden text-slate-500 sm:inline">by {vendorName}</span>
          {staff ? (
            <Link href="/console" className="rounded-md bg-slate-900 px-3 py-2 font-medium text-white hover:bg-slate-800">
              Support console
            </Link>
          ) : (
            <Link href="/consent" className="rounded-md bg-brand-600 px-3 py-2 font-medium text-white hover:bg-brand-700">
              Connect your organisation
            </Link>
          )}
        </nav>
      </div>
    </header>
  );
}
