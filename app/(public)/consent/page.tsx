import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import type { Metadata } from "next";
import { z } from "zod";
import { SignInButton } from "@/app/(public)/_components/sign-in-button";
import { CopyField } from "@/components/ui/copy-field";
import { config, signInAvailable } from "@/lib/config";
import { viewInvitation, type InvitationView } from "@/lib/data/invitations";
import { legacyAdminConsentUrl } from "@/lib/entra/consent-links";
import { requestOrigin } from "@/lib/request-origin";
import { plainPrivileges } from "@/lib/checks/vocabulary";
import { TENANT_HINT } from "@/lib/validators";
import { possessive } from "@/lib/text";
import { currentSession } from "@/lib/auth/session";
import { landFromMarketplace, purchaseFromReference, type LandingOutcome } from "@/lib/subscriptions/purchase";
import { PurchasePanel, type PurchaseProblem } from "./_components/purchase-panel";

export const metadata: Metadata = { title: "Connect your organisation" };

// The stable URL the AppSource listing and invitation links point to: /consent[?tenant=…][&source=…][&invitation=…],
// and the landing page of the marketplace SaaS offer: /consent?token=<purchase token> (README "Selling on AppSource"),
// /consent?purchase=<sealed reference>&problem=… when the activation after sign-in was refused.
const tenantHint = z.string().trim().toLowerCase().regex(TENANT_HINT, "tenant");
const sourceTag = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,40}$/);
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const PURCHASE_PROBLEMS: readonly string[] = [
  "other-organisation",
  "activation-failed",
  "cancelled",
] satisfies PurchaseProblem[];

/** Microsoft's recommended words for a token that cannot be resolved (docs/protocol/marketplace.md M-22). */
const UNKNOWN_PURCHASE =
  "We couldn't identify this purchase. Reopen this SaaS subscription in the Azure portal or in the Microsoft 365 admin center and select “Configure Account” or “Manage Account” again.";

async function marketplaceLanding(
  token: string | undefined,
  reference: string | undefined,
): Promise<LandingOutcome | null> {
  if (token !== undefined) return landFromMarketplace(token);
  if (reference === undefined) return null;
  const purchase = await purchaseFromReference(reference);
  return purchase ? { kind: "purchase", purchase } : { kind: "unknown-token" };
}

const invitationMessages: Record<Exclude<InvitationView["status"], "valid">, string> = {
  expired: "This invitation link has expired. You can still connect below, or ask your contact for a new link.",
  used: "This invitation link has already been used by an organisation. You can still connect below.",
  revoked: "This invitation link was withdrawn. You can still connect below, or ask your contact for a new link.",
  unknown: "This invitation link is not valid; check that it was copied in full. You can still connect below.",
};

export default async function ConsentPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const c = config();
  const { appName, vendorName } = c.branding;

  const rawTenant = first(params.tenant);
  const tenant = rawTenant === undefined ? null : tenantHint.safeParse(rawTenant);
  const rawSource = first(params.source);
  const source = rawSource === undefined ? null : sourceTag.safeParse(rawSource);
  const invitationToken = first(params.invitation);
  const invitation = invitationToken ? await viewInvitation(invitationToken) : null;

  const hint = tenant?.success ? tenant.data : invitation?.status === "valid" ? invitation.tenantHint : null;
  const notices: string[] = [];
  if (tenant && !tenant.success)
    notices.push("The organisation in this link is not a tenant ID or domain name, so it was ignored.");
  if (source && !source.success) notices.push("The source tag in this link is malformed, so it was ignored.");
  if (invitation && invitation.status !== "valid") notices.push(invitationMessages[invitation.status]);

  const legacyLink = legacyAdminConsentUrl(c, await requestOrigin(), hint);

  const landing = await marketplaceLanding(first(params.token), first(params.purchase));
  const rawProblem = first(params.problem);
  const problem = rawProblem && PURCHASE_PROBLEMS.includes(rawProblem) ? (rawProblem as PurchaseProblem) : null;
  if (landing?.kind === "unknown-token" || rawProblem === "unknown-purchase") notices.push(UNKNOWN_PURCHASE);
  if (landing?.kind === "unavailable") {
    notices.push(
      landing.vendorFault
        ? `We could not identify this purchase with Microsoft's marketplace because of a problem on ${possessive(vendorName)} side. Please contact ${c.branding.supportEmail}; your purchase is safe.`
        : "We could not reach Microsoft's marketplace to identify this purchase. Reload this page in a minute; the link Microsoft gave you stays valid for 24 hours.",
    );
  }
  const purchase = landing?.kind === "purchase" ? landing.purchase : null;
  const session = purchase ? await currentSession() : null;
  const signedIn = session
    ? {
        name: session.userName ?? session.userPrincipalName ?? "you",
        beneficiary: session.kind === "customer" && session.tenantId === purchase?.beneficiaryTenantId,
      }
    : null;

  return (
    <div className="mx-auto max-w-4xl px-6 py-12">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">
        {purchase ? `Activate your ${appName} subscription` : `Connect your organisation to ${appName}`}
      </h1>
      <p className="mt-3 text-lg text-slate-600">
        {appName} by {vendorName} needs an administrator of your organisation to approve it, then connects to the
        Dataverse environments you choose.
      </p>

      {invitation?.status === "valid" ? (
        <p className="mt-6 rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          You were invited by {vendorName}
          {invitation.tenantHint ? ` to connect ${invitation.tenantHint}` : ""}. The invitation is valid until{" "}
          <LocalTime date={invitation.expiresAt} />.
        </p>
      ) : null}
      {notices.map((notice) => (
        <p
          key={notice}
          role="status"
          className="mt-6 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900"
        >
          {notice}
        </p>
      ))}
      {purchase ? (
        <PurchasePanel
          purchase={purchase}
          problem={problem}
          appName={appName}
          signedIn={signedIn}
          canSignIn={signInAvailable(c)}
        />
      ) : null}

      <div className="mt-8 grid gap-6 md:grid-cols-2">
        <section aria-labelledby="access-heading" className={cardClass("plain", "shadow-sm")}>
          <h2 id="access-heading" className="font-semibold text-slate-900">
            What {appName} will access, and why
          </h2>
          <ul className="mt-3 list-disc space-y-2 pl-5 text-sm text-slate-700">
            <li>
              <strong>Your Dataverse data</strong>, in the environments you register, limited by the &ldquo;
              {c.dataverse.roleName}&rdquo; security role. This is what {appName} synchronises:
              <ul aria-label="What the role allows" className="mt-1 list-[circle] space-y-0.5 pl-5">
                {plainPrivileges(c.dataverse.rolePrivileges).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </li>
            <li>
              <strong>Sign-in and basic profile</strong> of the administrator using this portal, so we know who
              connected your organisation.
            </li>
            <li>
              It signs in as itself (an application user); it never acts as one of your people and needs no licence.
            </li>
          </ul>
        </section>
        <section aria-labelledby="who-heading" className={cardClass("plain", "shadow-sm")}>
          <h2 id="who-heading" className="font-semibold text-slate-900">
            Who can approve it
          </h2>
          <ul className="mt-3 list-disc space-y-2 pl-5 text-sm text-slate-700">
            <li>
              <strong>Admin consent</strong>: a Global Administrator, Privileged Role Administrator, Cloud Application
              Administrator or Application Administrator of your Microsoft Entra ID tenant.
            </li>
            <li>
              <strong>Application user</strong>: a System Administrator of each Dataverse environment (or a Power
              Platform administrator).
            </li>
            <li>Personal Microsoft accounts (outlook.com, hotmail.com) cannot connect an organisation.</li>
          </ul>
        </section>
      </div>

      {purchase ? null : (
        <section aria-labelledby="start-heading" className={cardClass("info", "mt-10")}>
          <h2 id="start-heading" className="text-lg font-semibold text-slate-900">
            Start here
          </h2>
          <p className="mt-2 text-sm text-slate-700">
            Sign in with your work account. If you are an administrator you will then approve {appName} for your
            organisation; if you are not, the portal tells you who has to, and you can send them the direct link below.
          </p>
          <div className="mt-5">
            {signInAvailable(c) ? (
              <SignInButton
                returnTo="/onboarding"
                source={source?.success ? source.data : null}
                invitation={invitation?.status === "valid" ? (invitationToken ?? null) : null}
                tenant={hint}
              />
            ) : (
              <p role="status" className="text-sm text-amber-900">
                Sign-in is not available: this portal has no Microsoft Entra ID application configured.
              </p>
            )}
          </div>
        </section>
      )}

      {legacyLink && !purchase ? (
        <section aria-labelledby="legacy-heading" className={cardClass("plain", "mt-10")}>
          <h2 id="legacy-heading" className="font-semibold text-slate-900">
            Cannot use this portal?
          </h2>
          <p className="mt-2 text-sm text-slate-600">
            An administrator can grant consent directly with this Microsoft link, then come back here to register
            environments.
          </p>
          <div className="mt-4">
            <CopyField label="Admin consent link" value={legacyLink} multiline />
          </div>
        </section>
      ) : null}
    </div>
  );
}
