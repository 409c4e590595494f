import type { ReactNode } from "react";
import { Table } from "@/components/ui/table";

/**
 * A log's table (the console's lists): the table named by its caption, in a frame that scrolls sideways on its own
 * when a row is wider than the page (under 640 px rows stack instead, components/ui/table.tsx). The frame is
 * focusable so that a keyboard can scroll it. `framed={false}` inside a Card, which is the frame already.
 */
export function TableFrame({
  caption,
  framed = true,
  children,
}: {
  caption: string;
  framed?: boolean;
  children: ReactNode;
}) {
  return (
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className={`sm:overflow-x-auto ${framed ? "rounded-xl border border-slate-200 bg-white max-sm:px-3" : ""}`.trim()}
    >
      <Table label={caption} captioned>
        {children}
      </Table>
    </div>
  );
}
