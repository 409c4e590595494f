import { cardClass } from "@/components/ui/card";
import { LinkButton } from "@/components/ui/button";
import { config } from "@/lib/config";

export default function LandingPage() {
  const { appName, vendorName } = config().branding;
  const { roleName } = config().dataverse;
  const steps = [
    {
      title: "Sign in with your work account",
      body: "Use the Microsoft Entra ID account of your organisation. Personal Microsoft accounts cannot connect an organisation.",
    },
    {
      title: "Grant admin consent",
      body: `A Global Administrator (or Cloud Application Administrator) allows ${appName} into your tenant. This creates its enterprise application; it grants no data access by itself.`,
    },
    {
      title: "Pick your environments",
      body: "Choose from the Dataverse environments Microsoft lists for you (“List my environments”): nothing to copy. A URL can still be pasted. We check each one belongs to your tenant.",
    },
    {
      title: "Set it up for me",
      body: `One click, with your one-time permission: the portal creates the "${roleName}" security role with only what ${appName} needs and ${appName}'s application user — never System Administrator. Or follow the manual steps.`,
    },
    {
      title: "Check the connection",
      body: "We connect exactly as the app will, from our servers, and tell you in plain words what works and what to fix. Then we re-check regularly and tell you when something breaks.",
    },
  ];
  return (
    <>
      <section className="border-b border-slate-200 bg-white">
        <div className="mx-auto grid max-w-6xl gap-10 px-6 py-16 lg:grid-cols-[3fr_2fr] lg:items-center">
          <div>
            <p className="text-sm font-semibold tracking-wide text-brand-700 uppercase">
              For Dynamics 365 and Power Platform administrators
            </p>
            <h1 className="mt-3 text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
              Connect your Dataverse environments to {appName}
            </h1>
            <p className="mt-5 max-w-2xl text-lg text-slate-600">
              {appName} by {vendorName} reads and writes your Dataverse data from its own servers, as an unlicensed
              application user that you create and control. This portal takes you from consent to a verified connection
              in a few minutes: pick your environments from a list, let it set up the application user in one click, and
              it tells you exactly what to fix if anything is not right.
            </p>
            <div className="mt-8 flex flex-wrap gap-3">
              <LinkButton href="/consent">Start onboarding</LinkButton>
              <LinkButton href="#what-you-need" variant="secondary">
                What you will need
              </LinkButton>
            </div>
          </div>
          <aside aria-labelledby="access-heading" className={cardClass("plain", "bg-slate-50")}>
            <h2 id="access-heading" className="font-semibold text-slate-900">
              What {appName} can access
            </h2>
            <ul className="mt-3 space-y-2 text-sm text-slate-700">
              <li>
                Only the environments you register here, and only what the &ldquo;{roleName}&rdquo; security role
                allows.
              </li>
              <li>
                No user&rsquo;s mailbox, files or sign-in: the app signs in as itself, never as one of your people.
              </li>
              <li>
                You stay in control: disable the application user or delete the enterprise application at any time.
              </li>
            </ul>
          </aside>
        </div>
      </section>

      <section aria-labelledby="steps-heading" className="mx-auto max-w-6xl px-6 py-14">
        <h2 id="steps-heading" className="text-2xl font-bold text-slate-900">
          How onboarding works
        </h2>
        <ol className="mt-8 grid gap-4 md:grid-cols-5">
          {steps.map((step, index) => (
            <li key={step.title} className={cardClass("plain", "shadow-sm")}>
              <span
                className="grid h-8 w-8 place-items-center rounded-full bg-brand-100 text-sm font-bold text-brand-700"
                aria-hidden
              >
                {index + 1}
              </span>
              <h3 className="mt-3 font-semibold text-slate-900">{step.title}</h3>
              <p className="mt-2 text-sm break-words text-slate-600">{step.body}</p>
            </li>
          ))}
        </ol>
      </section>

      <section id="what-you-need" aria-labelledby="need-heading" className="border-t border-slate-200 bg-white">
        <div className="mx-auto grid max-w-6xl gap-8 px-6 py-14 md:grid-cols-2">
          <div>
            <h2 id="need-heading" className="text-2xl font-bold text-slate-900">
              What you will need
            </h2>
            <p className="mt-3 text-slate-600">
              Gather these before you start; one person holding both roles can finish in one sitting.
            </p>
          </div>
          <ul className="space-y-4">
            <li className="rounded-lg border border-slate-200 p-4">
              <p className="font-semibold">A Microsoft Entra ID administrator</p>
              <p className="mt-1 text-sm text-slate-600">
                Global Administrator, or a Cloud Application / Application Administrator, to grant consent for your
                organisation.
              </p>
            </li>
            <li className="rounded-lg border border-slate-200 p-4">
              <p className="font-semibold">A Dataverse System Administrator</p>
              <p className="mt-1 text-sm text-slate-600">
                Of each environment, to click &ldquo;Set it up for me&rdquo; (or to create the application user and its
                security role by hand in the Power Platform admin center).
              </p>
            </li>
            <li className="rounded-lg border border-slate-200 p-4">
              <p className="font-semibold">Nothing to copy</p>
              <p className="mt-1 text-sm text-slate-600">
                The portal lists the environments you can use. If you prefer, paste an environment&rsquo;s URL (Power
                Platform admin center → Environments), e.g.{" "}
                <code className="rounded bg-slate-100 px-1 font-mono text-xs">https://contoso.crm.dynamics.com</code>.
              </p>
            </li>
          </ul>
        </div>
      </section>
    </>
  );
}
