import { useState } from 'react'
import { loadRows, n, type Row } from '../../../api.ts'
import { indicatorName } from '../../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'

const V = 'indicator_checks'

/** The province's line of each computed indicator, with how many communes disagree. */
async function loadChecks(): Promise<Row[]> {
  const [province, communes] = await Promise.all([
    loadRows({
      measures: [`${V}.computed`, `${V}.reported`, `${V}.difference`, `${V}.last_reported`],
      dimensions: [`${V}.indicator_code`, `${V}.period`, `${V}.last_reported_period`, `${V}.basis`, `${V}.disagrees`],
      filters: [{ member: `${V}.unit_level`, operator: 'equals', values: ['province'] }],
      order: [[`${V}.indicator_code`, 'asc']],
    }),
    loadRows({
      measures: [`${V}.units_disagreeing`, `${V}.units`],
      dimensions: [`${V}.indicator_code`],
      filters: [{ member: `${V}.unit_level`, operator: 'equals', values: ['commune'] }],
    }),
  ])
  return province.map((p) => ({ ...p, ...communes.find((c) => c[`${V}.indicator_code`] === p[`${V}.indicator_code`]) }))
}

/** The communes where an indicator's reported figure and kho's own disagree, largest gap first. */
function loadDisagreeing(code: string): Promise<Row[]> {
  return loadRows({
    measures: [`${V}.computed`, `${V}.reported`, `${V}.difference`],
    dimensions: [`${V}.unit_code`, `${V}.admin_units_name`],
    filters: [
      { member: `${V}.indicator_code`, operator: 'equals', values: [code] },
      { member: `${V}.unit_level`, operator: 'equals', values: ['commune'] },
      { member: `${V}.disagrees`, operator: 'equals', values: ['true'] },
    ],
    order: [[`${V}.unit_code`, 'asc']],
  })
}

/**
 * Indicators kho computes itself from the integrated registers, shown beside the figures agencies
 * reported for the same month: both numbers, the gap flagged by the caption's rule, and where they
 * disagree the communes to look at. A month the agency has not reported yet is said so, with its
 * latest report for reference — never a difference between two different months.
 */
export function Reconciliation({ indicators }: { indicators: Map<string, IndicatorAnswer> }) {
  const { t, fmt, lang } = useLang()
  const checks = useAsync(loadChecks, [])
  const [open, setOpen] = useState<string | null>(null)
  const communes = useAsync(() => (open ? loadDisagreeing(open) : Promise.resolve([] as Row[])), [open])
  const num = (r: Row, m: string) => n(r[`${V}.${m}`])
  return (
    <section className="panel" aria-label={t('reconciliation')} data-testid="reconciliation">
      <h2>{t('reconciliation')}</h2>
      <p className="muted">{t('reconciliationHelp')}</p>
      <Show value={checks} empty={(d) => d.length === 0} say={t('emptyChecks')}>
        {(rows) => (
          <DataTable<Row>
            testId="reconciliation-table"
            rows={rows}
            pageSize={10}
            columns={[
              {
                key: 'indicator',
                header: t('indicator'),
                value: (r) => indicatorName(indicators.get(String(r[`${V}.indicator_code`])), lang, String(r[`${V}.indicator_code`])),
              },
              { key: 'period', header: t('dataPeriod'), value: (r) => fmt.period(String(r[`${V}.period`])) },
              { key: 'computed', header: t('computedByKho'), numeric: true, value: (r) => num(r, 'computed') },
              {
                key: 'reported',
                header: t('reportedFigure'),
                cell: (r) => {
                  if (num(r, 'reported') !== null) return fmt.number(num(r, 'reported'))
                  const last = num(r, 'last_reported')
                  return last === null ? t('notReported') : `${t('notReported')} — ${t('latestReported')}: ${fmt.number(last)} (${fmt.period(String(r[`${V}.last_reported_period`]))})`
                },
              },
              {
                key: 'difference',
                header: t('difference'),
                numeric: true,
                value: (r) => num(r, 'difference'),
                cell: (r) => {
                  const flagged = String(r[`${V}.disagrees`]) === 'true'
                  return (
                    <span data-flagged={flagged}>
                      {fmt.number(num(r, 'difference'))}
                      {flagged && <span className="badge rejected"> {t('beyondThreshold')}</span>}
                    </span>
                  )
                },
              },
              {
                key: 'communes',
                header: t('communesDisagreeing'),
                cell: (r) => {
                  const code = String(r[`${V}.indicator_code`])
                  const k = num(r, 'units_disagreeing') ?? 0
                  return k === 0 ? (
                    `0 / ${fmt.number(num(r, 'units') ?? 0)}`
                  ) : (
                    <button type="button" className="linkish" data-indicator={code} onClick={() => setOpen(open === code ? null : code)}>
                      {fmt.number(k)} / {fmt.number(num(r, 'units') ?? 0)}
                    </button>
                  )
                },
              },
            ]}
          />
        )}
      </Show>
      {open && (
        <Show value={communes}>
          {(rows) => (
            <DataTable<Row>
              testId="reconciliation-communes"
              caption={indicatorName(indicators.get(open), lang, open)}
              rows={rows}
              pageSize={10}
              columns={[
                { key: `${V}.admin_units_name`, header: t('byCommune') },
                { key: 'computed', header: t('computedByKho'), numeric: true, value: (r) => num(r, 'computed') },
                { key: 'reported', header: t('reportedFigure'), numeric: true, value: (r) => num(r, 'reported') },
                { key: 'difference', header: t('difference'), numeric: true, value: (r) => num(r, 'difference') },
              ]}
            />
          )}
        </Show>
      )}
    </section>
  )
}
