/** Writes rows as delimited text with RFC 4180 quoting, the way spreadsheet programs export them. */
export function toDelimited(header: string[], rows: string[][], delimiter = ',', lineEnd = '\r\n'): string {
  const quote = (cell: string) =>
    cell.includes(delimiter) || cell.includes('"') || cell.includes('\n') || cell.includes('\r')
      ? `"${cell.replace(/"/g, '""')}"`
      : cell
  const lines = [header, ...rows].map((r) => r.map(quote).join(delimiter))
  return lines.join(lineEnd) + lineEnd
}
