// The product mark, the same drawing as public/logo.svg and public/favicon.svg, inline so it needs no request
// and keeps its square shape whatever the header's width (shrink-0).
export function LogoMark({ className = "h-8 w-8" }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false" className={`shrink-0 ${className}`}>
      <rect width="32" height="32" rx="7" fill="#1d4ed8" />
      <path
        d="M10 22V10l12 12V10"
        fill="none"
        stroke="#fff"
        strokeWidth="2.6"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <circle cx="24.5" cy="24.5" r="2" fill="#93c5fd" />
    </svg>
  );
}
