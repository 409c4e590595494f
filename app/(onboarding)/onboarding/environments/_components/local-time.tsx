"use client";

import { useEffect, useState } from "react";

const format = (date: Date, timeZone?: string) =>
    // dateStyle cannot be combined with timeZoneName, hence the parts.
  new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short", ...(timeZone ? { timeZone } : {}) }).format(date);

/** A moment in the viewer's own time zone (the server renders UTC until the browser takes over). */
export function LocalTime({ date }: { date: Date | string }) {
  const iso = (typeof date === "string" ? new Date(date) : date).toISOString();
  const [text, setText] = useState(() => format(new Date(iso), "UTC"));
  useEffect(() => setText(format(new Date(iso))), [iso]);
  return <time dateTime={iso}>{text}</time>;
}
