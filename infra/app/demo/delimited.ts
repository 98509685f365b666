/** Writes rows as delimited text with RFC 4180 quoting, the way spreadsheet programs export them. */
export function toDelimited(header: string[], rows: string[][], delimiter = ',', lineEnd = '\r\n'): string {
  // One scan a cell for any character that needs quoting (the demo writes millions of cells).
  const special = new RegExp(`["\\r\\n${delimiter.replace(/[\\^\]-]/g, '\\$&')}]`)
  const quote = (cell: string) => (special.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)
  const lines = [header, ...rows].map((r) => r.map(quote).join(delimiter))
  return lines.join(lineEnd) + lineEnd
}
