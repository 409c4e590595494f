import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/(onboarding)/onboarding/actions";
import { forbidden } from "next/navigation";
import { currentSession, isStaffWith, type StaffSession } from "@/lib/auth/session";

export const metadata: Metadata = { title: { default: "Support console", template: "%s · Support console" } };

// The console is for the ISV's support staff: home-tenant users holding a support app role. Every page,
// action and route below checks again for itself (requireStaff), and a signed-out visitor is sent to sign in
// by the page, which knows the address to come back to; this layout refuses anyone signed in without the role.
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const current = await currentSession();
  if (!current) return children;
  if (!isStaffWith(current, "operator")) forbidden();
  const session = current as StaffSession;
  const admin = isStaffWith(session, "admin");
  const links = [
    { href: "/console", label: "Overview" },
    { href: "/console/tenants", label: "Tenants" },
    { href: "/console/invitations", label: "Invitations" },
    { href: "/console/activity", label: "Staff activity" },
  ];
  return (
    <div className="mx-auto max-w-7xl px-6 py-8">
      <div className="flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-4">
        <p className="text-sm text-slate-600">
          <span className="mr-2 rounded-full bg-slate-900 px-2.5 py-1 text-xs font-semibold text-white">Support console</span>
          Signed in as <strong className="text-slate-900">{session.userName ?? session.userPrincipalName}</strong>
          {session.userPrincipalName ? <span> ({session.userPrincipalName})</span> : null} · {admin ? "Support admin" : "Support operator"}
        </p>
        <form action={signOutAction}>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
      <nav aria-label="Support console" className="mt-4 flex flex-wrap gap-2 text-sm">
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
