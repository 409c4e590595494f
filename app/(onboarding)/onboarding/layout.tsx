import type { ReactNode } from "react";
import { SignedInAs, SignedInFrame } from "@/app/_components/signed-in-frame";
import { currentOrganisation, requireCustomer } from "@/lib/auth/session";
import { config } from "@/lib/config";

export default async function OnboardingLayout({ children }: { children: ReactNode }) {
  const session = await requireCustomer("/onboarding");
  const single = config().entra.tenancy === "single";
  const organisation = await currentOrganisation();
  const links = [
    { href: "/onboarding", label: "Overview" },
    ...(single ? [] : [{ href: "/onboarding/consent", label: "Admin consent" }]),
    { href: "/onboarding/environments", label: "Environments" },
    { href: "/onboarding/disconnect", label: "Disconnect" },
  ];
  return (
    <SignedInFrame
      who={
        <>
          <SignedInAs name={session.userName} upn={session.userPrincipalName} />
          {organisation ? (
            <>
              {" "}
              · <span className="font-medium text-slate-900">{organisation}</span>
            </>
          ) : null}
        </>
      }
      navLabel="Onboarding"
      links={links}
    >
      {children}
    </SignedInFrame>
  );
}
