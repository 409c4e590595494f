import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/app/(public)/actions";

type Props = {
  /** Who is signed in, e.g. name and UPN plus the tenant or the staff role. */
  who: ReactNode;
  badge?: string;
  navLabel: string;
  links: Array<{ href: string; label: string }>;
  wide?: boolean;
  children: ReactNode;
};

/** The frame of a signed-in area (customer onboarding, support console): who, sign-out, the area's navigation. */
export function SignedInFrame({ who, badge, navLabel, links, wide = false, children }: Props) {
  return (
    <div className={`mx-auto px-6 py-8 ${wide ? "max-w-7xl" : "max-w-5xl"}`}>
      <div className="flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-4">
        <p className="text-sm text-slate-600">
          {badge ? <span className="mr-2 rounded-full bg-slate-900 px-2.5 py-1 text-xs font-semibold text-white">{badge}</span> : null}
          {who}
        </p>
        <form action={signOutAction}>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
      <nav aria-label={navLabel} className="mt-4 flex flex-wrap gap-2 text-sm">
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

/** "Signed in as <name> (<upn>)". */
export function SignedInAs({ name, upn }: { name: string | null; upn: string | null }) {
  return (
    <>
      Signed in as <strong className="text-slate-900">{name ?? upn}</strong>
      {upn ? <span> ({upn})</span> : null}
    </>
  );
}
