import Link from "next/link";
import type { ComponentProps } from "react";

// The one set of button styles (docs/architecture.md "UI kit"): <Button> for actions and form submits,
// <LinkButton> for navigation that looks like a button, buttonClass() for the rare element that is neither
// (a download <a>, a <summary>).
const variants = {
  primary: "bg-brand-600 text-white shadow-sm hover:bg-brand-700",
  secondary: "border border-slate-300 bg-white text-slate-900 shadow-sm hover:bg-slate-50",
  danger: "bg-red-700 text-white shadow-sm hover:bg-red-800",
  dark: "bg-slate-900 text-white hover:bg-slate-800",
  ghost: "text-slate-700 hover:bg-slate-100",
} as const;

const sizes = {
  sm: "px-3 py-1.5 text-sm",
  md: "px-4 py-2.5 text-sm",
} as const;

export type ButtonVariant = keyof typeof variants;
export type ButtonSize = keyof typeof sizes;

export function buttonClass(variant: ButtonVariant = "primary", size: ButtonSize = "md", className = ""): string {
  return `inline-flex items-center justify-center gap-2 rounded-md font-semibold transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${variants[variant]} ${sizes[size]} ${className}`.trim();
}

type Styled = { variant?: ButtonVariant; size?: ButtonSize };

// data-variant names the style, so a page's one primary action can be found (and counted) by tests and tools.
export function Button({
  variant = "primary",
  size,
  className,
  type = "button",
  ...props
}: ComponentProps<"button"> & Styled) {
  return <button type={type} data-variant={variant} {...props} className={buttonClass(variant, size, className)} />;
}

export function LinkButton({ variant = "primary", size, className, ...props }: ComponentProps<typeof Link> & Styled) {
  return <Link data-variant={variant} {...props} className={buttonClass(variant, size, className)} />;
}
