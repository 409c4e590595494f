"use client";

// Last resort when the root layout itself fails: plain HTML, no dependencies.
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body
        style={{ fontFamily: "system-ui, sans-serif", padding: "4rem 1.5rem", textAlign: "center", color: "#0f172a" }}
      >
        <h1>Something went wrong on our side</h1>
        <p>The portal is temporarily unavailable. Please try again in a minute.</p>
        {error.digest ? <p>Reference: {error.digest}</p> : null}
      </body>
    </html>
  );
}
