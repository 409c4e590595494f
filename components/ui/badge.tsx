import type { ReactNode } from "react";

const tones = {
  success: "bg-emerald-100 text-emerald-900 ring-emerald-600/20",
  warning: "bg-amber-100 text-amber-900 ring-amber-600/20",
  danger: "bg-red-100 text-red-900 ring-red-600/20",
  info: "bg-sky-100 text-sky-900 ring-sky-600/20",
  neutral: "bg-slate-100 text-slate-700 ring-slate-500/20",
  dark: "bg-slate-900 text-white ring-slate-900",
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({
  tone = "neutral",
  children,
  className = "",
  ...data
}: { tone?: BadgeTone; children: ReactNode; className?: string } & Record<`data-${string}`, string>) {
  return (
    <span
      {...data}
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset ${tones[tone]} ${className}`.trim()}
    >
      {children}
    </span>
  );
}
