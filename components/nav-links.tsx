"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

// A client leaf only because the current page comes from the address (usePathname); the links themselves
// are rendered on the server too. A section's first link (its overview) matches only exactly, the others
// also their sub-pages (/console/tenants/… marks "Tenants").
export function NavLinks({ label, links }: { label: string; links: Array<{ href: string; label: string }> }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="-mx-1 mt-4 flex flex-wrap gap-1 text-sm">
      {links.map((l, i) => {
        const current = i === 0 ? pathname === l.href : pathname === l.href || pathname.startsWith(`${l.href}/`);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={current ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 font-medium ${current ? "bg-brand-50 text-brand-700 ring-1 ring-brand-100 ring-inset" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
