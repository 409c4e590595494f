import type { Metadata } from "next";
import type { ReactNode } from "react";
import { SignedInAs, SignedInFrame } from "@/app/_components/signed-in-frame";
import { forbidden } from "next/navigation";
import { currentSession, isStaffWith, type StaffSession } from "@/lib/auth/session";
import { config } from "@/lib/config";

export async function generateMetadata(): Promise<Metadata> {
  const { appName } = config().branding;
  return { title: { default: `Support console · ${appName}`, template: `%s · Support console · ${appName}` } };
}

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
    { href: "/console/subscriptions", label: "Subscriptions" },
    { href: "/console/invitations", label: "Invitations" },
    { href: "/console/activity", label: "Staff activity" },
    { href: "/console/webhooks", label: "Webhooks" },
    { href: "/console/alerts", label: "Alert log" },
  ];
  return (
    <SignedInFrame
      badge="Support console"
      who={
        <>
          <SignedInAs name={session.userName} upn={session.userPrincipalName} /> ·{" "}
          {admin ? "Support admin" : "Support operator"}
        </>
      }
      navLabel="Support console"
      links={links}
    >
      {children}
    </SignedInFrame>
  );
}
