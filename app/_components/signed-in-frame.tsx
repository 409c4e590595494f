import type { ReactNode } from "react";
import { signOutAction } from "@/app/(public)/actions";
import { NavLinks } from "@/components/nav-links";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

type Props = {
  /** Who is signed in, e.g. name and UPN plus the organisation or the staff role. */
  who: ReactNode;
  badge?: string;
  navLabel: string;
  links: Array<{ href: string; label: string }>;
  children: ReactNode;
};

/**
 * The frame of a signed-in area (customer onboarding, support console): who, sign-out, the area's navigation
 * with the current page marked. As wide as the site's header and footer (max-w-6xl), so nothing sticks out.
 */
export function SignedInFrame({ who, badge, navLabel, links, children }: Props) {
  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 pb-4">
        <p className="min-w-0 text-sm break-words text-slate-600">
          {badge ? (
            <span className="mr-2">
              <Badge tone="dark">{badge}</Badge>
            </span>
          ) : null}
          {who}
        </p>
        <form action={signOutAction}>
          <Button type="submit" variant="secondary" size="sm">
            Sign out
          </Button>
        </form>
      </div>
      <NavLinks label={navLabel} links={links} />
      <div className="mt-6">{children}</div>
    </div>
  );
}

/** "Signed in as <name> (<upn>)". */
export function SignedInAs({ name, upn }: { name: string | null; upn: string | null }) {
  return (
    <>
      Signed in as <strong className="text-slate-900">{name ?? upn}</strong>
      {upn && name ? <span> ({upn})</span> : null}
    </>
  );
}
