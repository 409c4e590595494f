// CSV for spreadsheets (RFC 4180), safe to open in Excel, LibreOffice or Google Sheets. No server-only
// import: pure functions, unit-tested.

/** A cell that a spreadsheet would run as a formula starts with one of these (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  // Neutralise formulas: a leading apostrophe makes the spreadsheet show the text as typed.
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: ReadonlyArray<Parameters<typeof csvCell>[0]>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
