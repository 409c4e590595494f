import type { ComponentProps, ReactNode } from "react";

// A data table that becomes stacked rows under 640 px (Tailwind's `sm`): each row a block, each cell a line
// that shows its column's name (Td's `label`, through a CSS ::before), so no page scrolls sideways on a phone.
// The ARIA roles are explicit because a table whose display CSS changes loses its implicit semantics in
// some browsers, and screen readers should still hear a table.

/** `label` names the table; with `captioned` it is the table's own (visually hidden) <caption> instead of aria-label. */
export function Table({
  label,
  captioned = false,
  children,
  className = "",
}: {
  label: string;
  captioned?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <table
      role="table"
      aria-label={captioned ? undefined : label}
      className={`w-full text-left text-sm max-sm:block ${className}`.trim()}
    >
      {captioned ? <caption className="sr-only">{label}</caption> : null}
      {children}
    </table>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead role="rowgroup" className="bg-slate-50 text-xs text-slate-600 uppercase max-sm:sr-only">
      {children}
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return (
    <tbody role="rowgroup" className="divide-y divide-slate-100 max-sm:block">
      {children}
    </tbody>
  );
}

export function Tr({ className = "", ...props }: ComponentProps<"tr">) {
  return <tr role="row" {...props} className={`align-top max-sm:block max-sm:py-2 ${className}`.trim()} />;
}

export function Th({ className = "", ...props }: ComponentProps<"th">) {
  return <th role="columnheader" scope="col" {...props} className={`px-3 py-2 font-semibold ${className}`.trim()} />;
}

/** A cell; `label` is its column's name, shown before the value when rows are stacked. */
export function Td({ label, className = "", children, ...props }: ComponentProps<"td"> & { label: string }) {
  return (
    <td
      role="cell"
      data-label={label}
      {...props}
      className={`px-3 py-2.5 break-words max-sm:flex max-sm:gap-3 max-sm:px-1 max-sm:py-1 max-sm:before:w-28 max-sm:before:shrink-0 max-sm:before:text-xs max-sm:before:font-semibold max-sm:before:text-slate-600 max-sm:before:uppercase max-sm:before:content-[attr(data-label)] ${className}`.trim()}
    >
      <div className="min-w-0 flex-1">{children}</div>
    </td>
  );
}
