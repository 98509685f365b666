import { useEffect, useRef } from 'react'
import type { TraceAnswer, TraceAsk, TraceDelivery, TraceRow } from '../../../../infra/contracts/trace.ts'
import { api, download } from '../api.ts'
import { Show, useAsync } from './async.tsx'
import { DataTable } from './data-table.tsx'
import { useLang } from '../i18n.ts'
import { Link } from '../router.tsx'
import { PAGES_BY_ROLE, useAuth } from '../auth.tsx'

/**
 * "Nguồn số liệu": where a number came from (POST /api/trace) — who delivered it, when, which file
 * and row, each delivered version with what changed, a ratio's formula and its operands, the
 * models between the file and the page. Opened from a tile, an explorer cell, a pivot cell.
 */
export function TracePanel({ ask, onClose, testId = 'trace' }: { ask: Omit<TraceAsk, 'lang'>; onClose: () => void; testId?: string }) {
  const { t, lang } = useLang()
  const answer = useAsync(() => api<TraceAnswer>('/api/trace', { method: 'POST', body: { ...ask, lang } }), [JSON.stringify(ask), lang])
  // Opened from a cell of a long table, the panel below it comes into view.
  const at = useRef<HTMLElement>(null)
  useEffect(() => {
    at.current?.scrollIntoView?.({ block: 'nearest' })
  }, [JSON.stringify(ask)])
  return (
    <section className="panel trace" aria-label={t('traceTitle')} data-testid={testId} ref={at}>
      <h2>
        {t('traceTitle')}
        <button type="button" onClick={onClose} className="close">
          {t('close')}
        </button>
      </h2>
      <Show value={answer}>{(a) => <TraceBody answer={a} />}</Show>
    </section>
  )
}

/** A sentence with the file names in it shown as names of files (as written, never translated). */
function WithFiles({ text, files }: { text: string; files: string[] }) {
  const names = [...new Set(files)].filter(Boolean).sort((a, b) => b.length - a.length)
  if (names.length === 0) return <>{text}</>
  const parts = text.split(new RegExp(`(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`))
  return <>{parts.map((p, i) => (names.includes(p) ? <code key={i}>{p}</code> : p))}</>
}

/** The small mark beside a number that opens its trace (its words are in its label, for screen readers and the tooltip). */
export function TraceLink({ onClick, testId }: { onClick: () => void; testId?: string }) {
  const { t } = useLang()
  return <button type="button" className="trace-link" aria-label={t('traceOpen')} title={t('traceOpen')} onClick={onClick} {...(testId ? { 'data-testid': testId } : {})} />
}

function TraceBody({ answer, nested = false }: { answer: TraceAnswer; nested?: boolean }) {
  const { t, fmt, lang } = useLang()
  const say = (x: { vi: string; en: string }) => (lang === 'vi' ? x.vi : x.en)
  return (
    <div className="trace-body">
      <p className="trace-sentence" data-testid="trace-sentence">
        <strong>
          {say(answer.title)}: {fmt.number(answer.value)}
        </strong>
        {' — '}
        <WithFiles text={say(answer.sentence)} files={answer.deliveries.map((d) => d.source)} />
      </p>
      {answer.formula && (
        <div className="trace-formula" data-testid="trace-formula">
          <p>
            {t('traceFormula')}: <strong>{say(answer.formula)}</strong>
          </p>
          <ul>
            {answer.formula.inputs.map((i) => (
              <li key={i.code} data-testid={`trace-input-${i.code}`}>
                <strong>{i.name}</strong>: {fmt.number(i.trace.value)} — <WithFiles text={say(i.trace.sentence)} files={i.trace.deliveries.map((d) => d.source)} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {answer.deliveries.length > 0 && <Deliveries answer={answer} />}
      {answer.withheld.length > 0 && (
        <p className="muted" data-testid="trace-withheld">
          {t('traceWithheld')}: {answer.withheld.map(say).join(', ')}
        </p>
      )}
      {answer.history.length > 1 && (
        <DataTable
          testId="trace-history"
          caption={t('traceHistory')}
          rows={answer.history}
          columns={[
            { key: 'delivered_at', header: t('receivedAt'), cell: (v) => fmt.date(v.delivered_at) },
            { key: 'source', header: t('file'), as: 'code' },
            { key: 'row', header: t('traceRow'), numeric: true },
            { key: 'value', header: t('value'), numeric: true },
            { key: 'change', header: t('traceChange'), numeric: true, cell: (v) => (v.change === null ? '—' : `${v.change > 0 ? '+' : ''}${fmt.number(v.change)}`) },
            { key: 'changed', header: t('traceChanged'), value: (v) => v.changed.map((id) => columnName(answer, id, lang)).join(', '), as: 'name' },
            { key: 'current', header: t('status'), value: (v) => (v.current ? t('traceCurrent') : t('traceEarlier')) },
          ]}
        />
      )}
      {!nested && answer.models.length > 0 && (
        <details className="trace-models">
          <summary>{t('traceModels')}</summary>
          <ol>
            {answer.models.map((m) => (
              <li key={m.name}>
                <span lang="vi">{m.description}</span> <span className="muted">({t(m.layer === 'mart' ? 'layerMart' : m.layer === 'std' ? 'layerStd' : 'layerRaw')}{m.lastBuild ? `, ${t('traceBuilt')} ${fmt.date(m.lastBuild.at)}` : ''})</span>
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  )
}

/** A delivered column's name in the page's language. */
const columnName = (answer: TraceAnswer, id: string, lang: 'vi' | 'en') => {
  const c = answer.columns.find((x) => x.id === id)
  return c ? (lang === 'vi' ? c.vi : c.en) : id
}

function Deliveries({ answer }: { answer: TraceAnswer }) {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  // The delivery in the agencies' portal, for those whose pages include it (officers, stewards, admins).
  const portal = account !== null && PAGES_BY_ROLE[account.role].includes('portal')
  const columns = answer.columns
  return (
    <>
      <DataTable<TraceDelivery>
        testId="trace-deliveries"
        caption={t('traceDeliveries')}
        rows={answer.deliveries}
        columns={[
          { key: 'agency_name', header: t('agency'), as: 'name' },
          { key: 'dataset_name', header: t('dataset'), value: (d) => (lang === 'vi' ? d.dataset_name : d.dataset_name_en) },
          { key: 'source', header: t('file'), as: 'code' },
          { key: 'delivered_at', header: t('receivedAt'), cell: (d) => fmt.date(d.delivered_at) },
          { key: 'delivered_by', header: t('deliveredBy'), value: (d) => fmt.deliveredBy(d.delivered_by), as: 'name' },
          { key: 'version', header: t('traceVersion'), value: (d) => `${fmt.number(d.version, 0)}/${fmt.number(d.versions, 0)}` },
          { key: 'value', header: t('value'), numeric: true },
          ...(answer.deliveries.some((d) => d.row_count !== null) ? [{ key: 'row_count', header: t('traceRows'), numeric: true }] : []),
          ...(portal
            ? [
                {
                  key: 'portal',
                  header: t('portal'),
                  value: () => '',
                  cell: (d: TraceDelivery) => (
                    <Link href={`/portal?load=${encodeURIComponent(d.load_id)}`} data-testid="trace-portal-link">
                      {t('traceOpenDelivery')}
                    </Link>
                  ),
                },
              ]
            : []),
        ]}
      />
      {answer.deliveries
        .filter((d) => d.rows && d.rows.length > 0)
        .map((d) => (
          <DataTable
            key={d.load_id}
            testId="trace-rows"
            caption={
              <>
                {t('traceRowsOf')} <code>{d.source}</code>
              </>
            }
            rows={d.rows!}
            columns={[
              { key: 'row', header: t('traceRow'), numeric: true },
              // The cells as the agency wrote them: shown as written, never translated.
              ...columns.map((c) => ({ key: c.id, header: lang === 'vi' ? c.vi : c.en, value: (r: TraceRow) => r.cells[c.id] ?? '', as: 'name' as const })),
            ]}
          />
        ))}
      {answer.rows_query && answer.deliveries.some((d) => (d.row_count ?? 0) > (d.rows?.length ?? 0)) && (
        <button type="button" data-testid="trace-download" onClick={() => void download('/api/export', 'nguon-so-lieu.xlsx', { query: answer.rows_query, format: 'xlsx', lang, title: `${t('traceTitle')}: ${lang === 'vi' ? answer.title.vi : answer.title.en}` })}>
          {t('traceDownload')}
        </button>
      )}
    </>
  )
}
