"use client";

import { useState } from "react";

/** A read-only value with a Copy button; the label names both for screen readers. */
export function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  const [copied, setCopied] = useState(false);
  const id = `copy-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const copy = async () => {
    await navigator.clipboard.writeText(value);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  const fieldClass = "w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-800";
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1 flex gap-2">
        {multiline ? (
          <textarea id={id} readOnly value={value} rows={3} className={fieldClass} />
        ) : (
          <input id={id} readOnly value={value} className={fieldClass} />
        )}
        <button
          type="button"
          onClick={copy}
          aria-label={`Copy ${label}`}
          className="shrink-0 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-50"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p aria-live="polite" className="sr-only">
        {copied ? `${label} copied to the clipboard` : ""}
      </p>
    </div>
  );
}
