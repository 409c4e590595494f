// A horizontal bar chart in plain SVG: one labelled bar per item with its number, sized to the largest.
// The SVG is one image with a text summary for screen readers; the same figures follow as a table.

export type Bar = { label: string; value: number; note?: string; tone?: "brand" | "danger" | "muted"; href?: string };

const fills = { brand: "#1d4ed8", danger: "#b91c1c", muted: "#64748b" } as const;

export function BarChart({
  title,
  bars,
  unit,
  caption,
}: {
  title: string;
  bars: Bar[];
  unit: string;
  caption?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 34;
  const labelWidth = 190;
  const barArea = 330;
  const width = labelWidth + barArea + 70;
  const height = bars.length * rowHeight + 8;
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.value} ${unit}`).join("; ")}.`;
  return (
    <figure className="m-0">
      <svg
        role="img"
        aria-label={summary}
        viewBox={`0 0 ${width} ${height}`}
        className="h-auto w-full max-w-2xl"
        data-chart={title}
      >
        {bars.map((bar, i) => {
          const y = i * rowHeight + 4;
          const w = bar.value === 0 ? 2 : Math.max(4, Math.round((bar.value / max) * barArea));
          return (
            <g key={bar.label} data-bar={bar.label} data-value={bar.value}>
              <text x={labelWidth - 10} y={y + 18} textAnchor="end" fontSize="13" fill="#334155">
                {bar.label}
              </text>
              <rect x={labelWidth} y={y + 4} width={barArea} height={22} rx={4} fill="#f1f5f9" />
              <rect x={labelWidth} y={y + 4} width={w} height={22} rx={4} fill={fills[bar.tone ?? "brand"]} />
              <text x={labelWidth + w + 8} y={y + 20} fontSize="13" fontWeight="600" fill="#0f172a">
                {bar.value}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="sr-only">{caption ?? title}</figcaption>
    </figure>
  );
}
