// "Broken since …" on the console's tenant list: a tenant with an environment whose connection is broken
// (lib/checks/health.ts), however its latest check went.
import { dateTime } from "@/components/format";
import { LocalTime } from "@/components/ui/local-time";

export function BrokenBadge({ health, since }: { health: string | null; since: Date | null }) {
  if (health !== "BROKEN") return null;
  return (
    <span
      className="mt-1 block w-fit rounded-full bg-red-100 px-2 py-0.5 text-xs font-semibold text-red-900"
      data-testid="broken-badge"
      title={since ? dateTime(since, "UTC") : undefined}
    >
      Broken
      {since ? (
        <>
          {" "}
          since <LocalTime date={since} />
        </>
      ) : null}
    </span>
  );
}
