import { cardClass } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
// Shown to a customer's user who is not one of its administrators: what they can see, who can act, and how
// to ask them. The controls that change the connection are not rendered for them, and the server refuses
// the same actions anyway (lib/auth/session.ts requireCustomerAdmin).
export function ReadOnlyNotice({
  administrators,
  knownAdmins,
  portalUrl,
}: {
  administrators: string;
  knownAdmins: string[];
  portalUrl: string;
}) {
  return (
    <aside
      role="note"
      aria-label="Read-only access"
      className={cardClass("info", "text-sm")}
      data-testid="read-only-notice"
    >
      <h2 className="font-semibold">You can see this connection; an administrator changes it</h2>
      <p className="mt-1">
        Granting consent, registering or removing environments, running checks and disconnecting are reserved for{" "}
        {administrators} of your organisation (roles in Microsoft Entra ID). Your account holds none of them.
      </p>
      <p className="mt-2">
        {knownAdmins.length ? (
          <>
            Administrators who have worked on this connection: <strong>{knownAdmins.join(", ")}</strong>.{" "}
          </>
        ) : null}
        Ask one of them to sign in at{" "}
        <a className="font-medium underline" href={portalUrl}>
          {portalUrl}
        </a>
        , or ask your IT team for one of these roles.
      </p>
    </aside>
  );
}

/**
 * Shown to a customer's user who is not an administrator when the organisation was disconnected: their sign-in
 * does not bring it back (lib/data/sessions.ts startSession); only an administrator's does.
 */
export function DisconnectedNotice({
  disconnectedAt,
  disconnectedBy,
  administrators,
  portalUrl,
}: {
  disconnectedAt: Date;
  disconnectedBy: string | null;
  administrators: string;
  portalUrl: string;
}) {
  return (
    <aside
      role="note"
      aria-label="Disconnected"
      className={cardClass("warning", "text-sm")}
      data-testid="disconnected-notice"
    >
      <h2 className="font-semibold">Your organisation is disconnected</h2>
      <p className="mt-1">
        It was disconnected by {disconnectedBy ?? "an administrator"} on <LocalTime date={disconnectedAt} />: its
        environments, checks and consent were removed from this portal.
      </p>
      <p className="mt-2">
        To connect it again, ask an administrator — {administrators} of your organisation — to sign in at{" "}
        <a className="font-medium underline" href={portalUrl}>
          {portalUrl}
        </a>
        .
      </p>
    </aside>
  );
}
