"use client";

import { useEffect, useState } from "react";
import { dateTime } from "@/components/format";

/**
 * A timestamp in the viewer's own time zone, named ("22 Nov 2026, 15:05 CET"). The server's HTML says UTC,
 * because the server does not know the viewer's zone; after hydration the browser's zone replaces it.
 */
export function LocalTime({ date, className }: { date: Date | string; className?: string }) {
  const iso = new Date(date).toISOString();
  const [text, setText] = useState(() => dateTime(iso, "UTC"));
  useEffect(() => setText(dateTime(iso)), [iso]);
  return (
    <time dateTime={iso} className={className}>
      {text}
    </time>
  );
}
