import { startDiscoveryAction } from "@/app/(onboarding)/onboarding/actions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cardClass } from "@/components/ui/card";
import type { Discovery } from "@/lib/data/delegated";

type Props = {
  discovery: Discovery | null;
  /** URLs already registered for the organisation (normalised origins). */
  registeredUrls: string[];
  appName: string;
};

const sameOrigin = (a: string, b: string) => {
  try {
    return new URL(a).origin.toLowerCase() === new URL(b).origin.toLowerCase();
  } catch {
    return false;
  }
};

/**
 * "List my environments": Global Discovery with the administrator's own, one-time permission, then a list to
 * connect from. Each choice is a plain form post checked on the server against this session's listing.
 */
export function EnvironmentPicker({ discovery, registeredUrls, appName }: Props) {
  return (
    <div className="space-y-4">
      <form action={startDiscoveryAction}>
        {/* Once listed, connecting is the next step: "Connect" is the primary button, listing again is not. */}
        <Button type="submit" variant={discovery && discovery.instances.length > 0 ? "secondary" : "primary"}>
          {discovery ? "List my environments again" : "List my environments"}
        </Button>
      </form>
      <p className="text-sm text-slate-600">
        Microsoft asks you once to let {appName} see the environments you can use (Global Discovery). That permission is
        used for this list only and is not kept.
      </p>
      {discovery?.diagnosis ? (
        <div role="alert" className={cardClass("warning", "text-sm")}>
          <p className="font-semibold">{discovery.diagnosis.cause}</p>
          <p className="mt-1">{discovery.diagnosis.fix}</p>
          <p className="mt-1 text-amber-900">
            Who can fix it: {discovery.diagnosis.whoCanFix}.
            {discovery.diagnosis.code ? ` Microsoft's code: ${discovery.diagnosis.code}.` : ""}
          </p>
        </div>
      ) : null}
      {discovery && !discovery.diagnosis && discovery.instances.length === 0 ? (
        <p role="status" className={cardClass("info", "text-sm")}>
          Microsoft lists no Dataverse environment where you have a user in your organisation. If you expected one, ask
          its administrator to add you, or enter its URL below.
        </p>
      ) : null}
      {discovery && discovery.instances.length > 0 ? (
        <ul aria-label="Your environments" className="divide-y divide-slate-100 rounded-lg border border-slate-200">
          {discovery.instances.map((instance) => {
            const connected = registeredUrls.some((url) => sameOrigin(url, instance.url));
            return (
              <li key={instance.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:justify-between">
                <div className="min-w-0">
                  <p className="font-semibold text-slate-900">{instance.friendlyName}</p>
                  <p className="font-mono text-xs break-all text-slate-600">{instance.url}</p>
                  <p className="mt-1 text-xs text-slate-600">
                    {instance.type}
                    {instance.region ? ` · region ${instance.region}` : ""}
                    {instance.isUserSysAdmin === false ? " · you are not its System Administrator" : ""}
                  </p>
                </div>
                {connected ? (
                  <Badge tone="success" className="w-fit">
                    Connected
                  </Badge>
                ) : (
                  <form method="post" action="/onboarding/environments/pick">
                    <input type="hidden" name="discoveryId" value={discovery.id} />
                    <input type="hidden" name="instanceId" value={instance.id} />
                    <Button type="submit" size="sm" aria-label={`Connect ${instance.friendlyName}`}>
                      Connect
                    </Button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
