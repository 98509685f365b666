import { flexRender, getCoreRowModel, getPaginationRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table'
import { useEffect, useMemo, useState, type ReactNode } from 'react'
import { useLang } from '../i18n.ts'
import { Empty } from './async.tsx'

export interface Column<T> {
  key: string
  header: string
  /** Right-aligned, sorted as numbers. */
  numeric?: boolean
  cell?: (row: T) => ReactNode
  value?: (row: T) => unknown
  /** 'code': an identifier shown as itself (a file, a table, a key); 'name': a proper name, a person's own words or a recorded text, shown as written and never translated. */
  as?: 'code' | 'name'
}

/** A code or an account with a break allowed after each of its separators (DVC_FULL_|ONLINE, canbo.|soyt), nowhere else. */
function breakable(text: string): ReactNode {
  const parts = text.split(/(?<=[_.\-/@])/)
  return parts.length === 1 ? text : parts.map((p, i) => (i === 0 ? p : [<wbr key={i} />, p]))
}

/**
 * A sortable, paginated table. Only one page of rows is ever in the DOM, so 100k rows stay smooth;
 * sorting works on the whole set.
 */
export function DataTable<T extends object>({
  rows,
  columns,
  pageSize = 50,
  testId,
  caption,
  empty,
}: {
  rows: T[]
  columns: Column<T>[]
  pageSize?: number
  testId?: string
  caption?: ReactNode
  /** What an empty list lacks and what to do, shown instead of headers with no rows. */
  empty?: ReactNode
}) {
  const { t, fmt } = useLang()
  const [sorting, setSorting] = useState<SortingState>([])
  const defs = useMemo<ColumnDef<T>[]>(
    () =>
      columns.map((c) => ({
        id: c.key,
        header: c.header,
        accessorFn: (row: T) => {
          const v = c.value ? c.value(row) : (row as Record<string, unknown>)[c.key]
          return c.numeric && v !== null && v !== undefined && v !== '' ? Number(v) : v
        },
        sortUndefined: 'last',
        cell: (info) => {
          if (c.cell) return c.cell(info.row.original)
          if (c.numeric) return fmt.number(info.getValue())
          const text = String(info.getValue() ?? '')
          return c.as === 'code' && text ? <code>{breakable(text)}</code> : c.as === 'name' && text ? <span translate="no">{breakable(text)}</span> : text
        },
        meta: { numeric: c.numeric },
      })),
    [columns, fmt],
  )
  // The table caches each row's values until its data changes; a column whose words arrive later
  // (names fetched after the rows) must see them, so new columns give the rows anew.
  const data = useMemo(() => rows.slice(), [rows, defs])
  const table = useReactTable({
    data,
    columns: defs,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageSize } },
    // New rows start at the first page; new words for the same rows keep the page the reader is on.
    autoResetPageIndex: false,
  })
  useEffect(() => table.setPageIndex(0), [rows, table])
  const page = table.getState().pagination
  if (rows.length === 0 && empty) {
    return (
      <div className="table-wrap" data-testid={testId}>
        <Empty>{empty}</Empty>
      </div>
    )
  }
  return (
    <div className="table-wrap" data-testid={testId}>
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => {
                const sorted = h.column.getIsSorted()
                return (
                  <th key={h.id} className={(h.column.columnDef.meta as { numeric?: boolean })?.numeric ? 'num' : ''} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                    <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                    </button>
                  </th>
                )
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((r) => (
            <tr key={r.id}>
              {r.getVisibleCells().map((c) => (
                <td key={c.id} className={(c.column.columnDef.meta as { numeric?: boolean })?.numeric ? 'num' : ''}>
                  {flexRender(c.column.columnDef.cell, c.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > page.pageSize && (
        <div className="pager">
          <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()} aria-label="previous page">
            ‹
          </button>
          <span>
            {fmt.number(page.pageIndex + 1, 0)} / {fmt.number(table.getPageCount(), 0)}
          </span>
          <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()} aria-label="next page">
            ›
          </button>
          <span className="muted">
            {fmt.number(rows.length, 0)} {t('rows')}
          </span>
        </div>
      )}
    </div>
  )
}
