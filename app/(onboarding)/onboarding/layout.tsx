import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/(onboarding)/onboarding/actions";
import { requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";

export default async function OnboardingLayout({ children }: { children: ReactNode }) {
  const session = await requireCustomer("/onboarding");
  const single = config().entra.tenancy === "single";
  const links = [
    { href: "/onboarding", label: "Overview" },
    ...(single ? [] : [{ href: "/onboarding/consent", label: "Admin consent" }]),
    { href: "/onboarding/environments", label: "Environments" },
    { href: "/onboarding/disconnect", label: "Disconnect" },
  ];
  return (
    <div className="mx-auto max-w-5xl px-6 py-8">
      <div className="flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-4">
        <p className="text-sm text-slate-600">
          Signed in as <strong className="text-slate-900">{session.userName ?? session.userPrincipalName}</strong>
          {session.userPrincipalName ? <span> ({session.userPrincipalName})</span> : null} · tenant <code className="font-mono text-xs">{session.tenantId}</code>
        </p>
        <form action={signOutAction}>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
      <nav aria-label="Onboarding" className="mt-4 flex flex-wrap gap-2 text-sm">
        {links.map((l) => (
          <Link key={l.href} href={l.href} className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100">
            {l.label}
          </Link>
        ))}
      </nav>
      <div className="mt-6">{children}</div>
    </div>
  );
}
