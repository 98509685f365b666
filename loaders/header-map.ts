import { headerKey } from '../infra/catalog/header-key.ts'
import type { Column } from '../infra/catalog/schema.ts'
import { LoadRefusal } from './load-refusal.ts'
import type { HeaderMatcher } from './readers/xlsx.ts'

export interface HeaderMap {
  /** For each catalogue column, the index of its cell in a record, or -1 when the file lacks it. */
  cellIndex: number[]
  /** Headers that name no column of the dataset; their cells are not loaded. */
  unknownHeaders: string[]
}

/**
 * How well a candidate header row names the dataset's columns: 2 points a required column, 1 an
 * optional one; 0 when no required column is named (a title row, a data row).
 */
export function headerMatcher(columns: Column[]): HeaderMatcher {
  const byKey = new Map<string, Column>()
  for (const c of columns) for (const name of [c.id, c.label, ...c.aliases]) byKey.set(headerKey(name), c)
  return {
    names: (text) => byKey.has(headerKey(text)),
    score(cells) {
      const found = new Set(cells.map((h) => byKey.get(headerKey(h))).filter((c): c is Column => c !== undefined))
      const required = [...found].filter((c) => c.required).length
      return required === 0 ? 0 : required * 2 + (found.size - required)
    },
  }
}

/**
 * Matches a delivery's headers to the dataset's columns by id, label or alias, ignoring case and
 * diacritics. A missing required column or a column named twice refuses the delivery.
 */
export function mapHeaders(columns: Column[], headers: string[], fileName: string): HeaderMap {
  const byKey = new Map<string, number>()
  columns.forEach((c, i) => {
    for (const name of [c.id, c.label, ...c.aliases]) byKey.set(headerKey(name), i)
  })
  const cellIndex = columns.map(() => -1)
  const unknownHeaders: string[] = []
  headers.forEach((h, cell) => {
    const col = byKey.get(headerKey(h))
    if (col === undefined) {
      if (h.trim() !== '') unknownHeaders.push(h)
      return
    }
    if (cellIndex[col] !== -1) {
      throw new LoadRefusal(
        'header.duplicate',
        `Tệp ${fileName}: cột "${columns[col]!.label}" xuất hiện hai lần (tiêu đề "${headers[cellIndex[col]!]}" và "${h}")`,
        `${fileName}: column "${columns[col]!.id}" appears twice (headers "${headers[cellIndex[col]!]}" and "${h}")`,
      )
    }
    cellIndex[col] = cell
  })
  const missing = columns.filter((c, i) => c.required && cellIndex[i] === -1)
  if (missing.length > 0) {
    throw new LoadRefusal(
      'header.missing_required',
      `Tệp ${fileName} thiếu cột bắt buộc: ${missing.map((c) => `"${c.label}"`).join(', ')}`,
      `${fileName} lacks required columns: ${missing.map((c) => c.id).join(', ')}`,
    )
  }
  return { cellIndex, unknownHeaders }
}
