// Who of the organisation is e-mailed when a connection is connected, breaks or works again, and the controls:
// any administrator adds or removes themselves; the organisation's switch turns the e-mails off for everyone.
import { Card } from "@/components/ui/card";
import type { AlertRecipients, RecipientReason } from "@/lib/data/alert-recipients";
import { AlertSelfForm, EmailAlertsForm } from "./email-alerts-form";

const REASONS: Record<RecipientReason, string> = {
  "granted-consent": "granted admin consent",
  "registered-environment": "registered an environment",
  "added-themselves": "added themselves",
};

export function EmailAlerts({
  recipients,
  me,
  vendorName,
}: {
  recipients: AlertRecipients;
  me: { objectId: string; admin: boolean };
  vendorName: string;
}) {
  const onList = recipients.people.some((p) => p.userObjectId === me.objectId.toLowerCase());
  return (
    <Card
      id="alerts"
      title="E-mail alerts"
      description={`When a connection is first connected, stops working or works again, these people of your organisation are e-mailed, with a link to the environment, the cause and the fix. ${vendorName} support is told of every break too.`}
    >
      {recipients.people.length ? (
        <ul aria-label="Alert recipients" className="divide-y divide-slate-100 text-sm">
          {recipients.people.map((p) => (
            <li
              key={p.address}
              className="flex flex-wrap items-baseline justify-between gap-x-3 py-2"
              data-testid="alert-recipient"
            >
              <span className="min-w-0 break-words">
                <span className="font-medium text-slate-900">{p.name ?? p.address}</span>
                {p.name ? <span className="text-slate-600"> · {p.address}</span> : null}
                {p.userObjectId === me.objectId.toLowerCase() ? <span className="text-slate-600"> (you)</span> : null}
              </span>
              <span className="text-xs text-slate-600">{REASONS[p.reason]}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600" data-testid="no-alert-recipients">
          Nobody of your organisation is on the list yet.
        </p>
      )}
      <div className="mt-4 space-y-3 border-t border-slate-100 pt-4">
        {me.admin ? (
          <>
            <p className="text-sm text-slate-700">
              {onList
                ? "You are on the list."
                : "You are not on the list. Any administrator of your organisation can add themselves."}
            </p>
            <AlertSelfForm onList={onList} />
          </>
        ) : (
          <p className="text-sm text-slate-700">
            Administrators of your organisation can add or remove themselves here.
          </p>
        )}
        <EmailAlertsForm on={!recipients.optedOut} canChange={me.admin} vendorName={vendorName} />
      </div>
    </Card>
  );
}
