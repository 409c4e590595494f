import type { ReactNode } from "react";

/**
 * What a list shows when it has nothing yet: one sentence, and optionally what to do about it (a link or button).
 * Framed like a TableFrame where it stands in for one; `framed={false}` inside a Card.
 */
export function EmptyState({
  children,
  action,
  framed = true,
  className = "",
}: {
  children: ReactNode;
  action?: ReactNode;
  framed?: boolean;
  className?: string;
}) {
  return (
    <div
      className={`${framed ? "rounded-xl border border-slate-200 bg-white p-6 text-slate-600" : "text-sm text-slate-600"} ${className}`.trim()}
    >
      <p>{children}</p>
      {action ? <div className="mt-3">{action}</div> : null}
    </div>
  );
}
