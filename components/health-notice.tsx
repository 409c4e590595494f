// "Connection broken since …", then the cause: one line per broken environment, for the customer's status page and the
// support console (server component; the cause is already in the customer's words).
import { LocalTime } from "@/components/ui/local-time";

export type EnvironmentHealth = {
  id: string;
  url: string;
  friendlyName: string | null;
  health: "HEALTHY" | "DEGRADED" | "BROKEN" | "RECOVERED" | null;
  brokenSince: Date | null;
  healthCause: string | null;
  lastVerifiedAt: Date | null;
};

export function HealthNotice({ environments }: { environments: EnvironmentHealth[] }) {
  const broken = environments.filter((e) => e.health === "BROKEN");
  if (broken.length === 0) return null;
  return (
    <div
      role="alert"
      className="space-y-2 rounded-xl border border-red-300 bg-red-50 p-5 text-sm text-red-900"
      data-testid="connection-broken"
    >
      {broken.map((e) => (
        <p key={e.id}>
          {/* The cause is a sentence of its own (it starts with a capital: "The application user …"), not a clause after "because". */}
          <strong>
            Connection to {e.friendlyName ?? e.url} broken
            {e.brokenSince ? (
              <>
                {" "}
                since <LocalTime date={e.brokenSince} />
              </>
            ) : null}
            .
          </strong>{" "}
          {e.healthCause ?? "The last check failed."}
          {e.lastVerifiedAt ? (
            <span className="text-red-800">
              {" "}
              Last verified <LocalTime date={e.lastVerifiedAt} />.
            </span>
          ) : null}
        </p>
      ))}
    </div>
  );
}
