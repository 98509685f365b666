import type ExcelJS from 'exceljs'

/**
 * How every workbook kho writes prints: A4 landscape, scaled to one page wide (as many pages down as
 * the rows need), the header rows repeated on each page, page numbers in the footer.
 */
export function printA4Landscape(ws: ExcelJS.Worksheet, opts: { headerRows?: [number, number]; footerLeft?: string } = {}): void {
  ws.pageSetup = {
    ...ws.pageSetup,
    paperSize: 9, // A4
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    ...(opts.headerRows ? { printTitlesRow: `${opts.headerRows[0]}:${opts.headerRows[1]}` } : {}),
  }
  // "&&" is a literal ampersand in Excel's header/footer codes.
  const left = opts.footerLeft ? `&L${opts.footerLeft.replace(/&/g, '&&')}` : ''
  ws.headerFooter = { oddFooter: `${left}&RTrang &P/&N` }
}

/** A piece of wrapped text in a cell (or merged cells) `width` characters wide, as Excel counts width. */
export interface WrappedText {
  text: string
  width: number
  size?: number
  bold?: boolean
}

/**
 * Lines a text takes when wrapped at word boundaries in a column of `width` Excel characters. Excel
 * measures width in digits of the default font; Vietnamese letters with their marks, and the fonts
 * LibreOffice substitutes for Calibri, run wider — so the estimate errs towards one line more.
 */
export function wrappedLines({ text, width, size = 11, bold = false }: WrappedText): number {
  const perLine = Math.max(4, Math.floor((width - 1) * (11 / size) * (bold ? 0.78 : 0.85)))
  let lines = 0
  for (const paragraph of text.split('\n')) {
    let used = 0
    lines++
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const need = used === 0 ? word.length : used + 1 + word.length
      if (need <= perLine) used = need
      else if (used === 0) {
        // A word longer than the line is broken across lines.
        lines += Math.ceil(word.length / perLine) - 1
        used = word.length % perLine || perLine
      } else {
        lines++
        used = Math.min(word.length, perLine)
      }
    }
  }
  return lines
}

/**
 * The height (points) a row needs to show all of its wrapped texts. Neither Excel nor LibreOffice
 * grows a row when it opens a file, so a row of wrapped text without a height prints over the next.
 */
export function rowHeightFor(texts: WrappedText[], minimum = 15): number {
  let height = minimum
  for (const t of texts) height = Math.max(height, wrappedLines(t) * (t.size ?? 11) * 1.32 + 4)
  return Math.ceil(height)
}

/** Excel's number format for a count of decimals: 0 → "#,##0", 2 → "#,##0.00". */
export const decimalFormat = (decimals: number) => (decimals > 0 ? `#,##0.${'0'.repeat(decimals)}` : '#,##0')
