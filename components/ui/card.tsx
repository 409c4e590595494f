import type { ComponentProps, ReactNode } from "react";

const tones = {
  plain: "border-slate-200 bg-white text-slate-900",
  success: "border-emerald-200 bg-emerald-50 text-emerald-950",
  warning: "border-amber-200 bg-amber-50 text-amber-950",
  danger: "border-red-200 bg-red-50 text-red-950",
  info: "border-brand-100 bg-brand-50 text-slate-900",
} as const;

export type CardTone = keyof typeof tones;

export function cardClass(tone: CardTone = "plain", className = ""): string {
  return `rounded-xl border p-5 sm:p-6 ${tones[tone]} ${className}`.trim();
}

/** A panel of the page. With `title`, a <section> labelled by its heading; without, a plain <div>. */
export function Card({
  title,
  description,
  tone,
  className,
  headingId,
  children,
  ...props
}: Omit<ComponentProps<"section">, "title"> & {
  title?: ReactNode;
  description?: ReactNode;
  tone?: CardTone;
  headingId?: string;
}) {
  if (title === undefined) {
    return (
      <div {...(props as ComponentProps<"div">)} className={cardClass(tone, className)}>
        {children}
      </div>
    );
  }
  const id = headingId ?? props.id?.concat("-heading");
  return (
    <section aria-labelledby={id} {...props} className={cardClass(tone, className)}>
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      <div className={description ? "mt-4" : "mt-3"}>{children}</div>
    </section>
  );
}
