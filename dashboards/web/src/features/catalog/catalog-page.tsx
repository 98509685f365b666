import { useState } from 'react'
import { api } from '../../api.ts'
import { indicatorMap, useNames } from '../../catalog-data.ts'
import type { IndicatorAnswer } from '../../../../../infra/contracts/catalog.ts'
import { Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'
import { useAuth } from '../../auth.tsx'
import { DatasetProposals } from './components/dataset-proposals.tsx'
import { Attachments } from '../../components/attachments.tsx'
import { DatasetGuidePanel } from './components/dataset-guide.tsx'
import { Tabs } from '../../components/tabs.tsx'
import type { EntryColumn } from './entry-diff.ts'
import type { DeadlineAnswer } from '../../../../../infra/contracts/catalog.ts'

interface DatasetSummary {
  id: string
  name: string
  name_en: string | null
  owner: string
  update_frequency: string
  deadline: DeadlineAnswer
  sharing: { scope: string; method: string; consumers: string[] }
  protection: 'cot_loi' | 'quan_trong' | 'thong_thuong'
  personal_data: boolean
  formats: string[]
}
/** A dataset's column as the catalogue serves it (the same shape a proposal's reader reads). */
type DatasetColumn = EntryColumn
interface Source {
  dataset: string
  lastLoadedAt: string | null
  ageDays: number | null
  status: string
  feeds: string[]
}
interface Lineage {
  sources: Source[]
  models: { name: string; table: string; description: string; sources: string[]; refs: string[]; usedBy: string[] }[]
  cubes: { name: string; models: string[] }[]
}

/** How kho computes each data-quality criterion (the same formulas as marts.fct_quality_score). */
const QUALITY_FORMULAS: Record<'vi' | 'en', string[]> = {
  vi: [
    'Đầy đủ = nghĩa vụ đã nộp (đúng hạn hoặc trễ) / nghĩa vụ đã đến hạn × 100',
    'Hợp lệ = dòng đạt quy định / dòng đã gửi × 100',
    'Kịp thời = nghĩa vụ nộp đúng hạn / nghĩa vụ đã đến hạn × 100 (hạn: cuối kỳ + 15/30/90 ngày, hoặc thay đổi + 2 ngày làm việc; ngày nghỉ theo lịch Việt Nam)',
    'Nhất quán = phép đối chiếu đạt / phép đối chiếu đã chạy × 100',
    'Chính xác = giá trị nằm trong khoảng lịch sử (trung bình ± 3σ, ít nhất 4 kỳ trước) hoặc đã được xác nhận / giá trị có khoảng lịch sử × 100',
    'Điểm tổng hợp = trung bình các tiêu chí áp dụng cho cơ quan; xếp hạng theo quý',
  ],
  en: [
    'Completeness = obligations received (on time or late) / obligations due × 100',
    'Validity = rows passing their contract / rows delivered × 100',
    'Timeliness = obligations received on time / obligations due × 100 (due: period end + 15/30/90 days, or change + 2 working days; Vietnamese holidays)',
    'Consistency = reconciliation checks passing / checks run × 100',
    'Accuracy = values inside their history band (mean ± 3σ of at least 4 earlier periods) or confirmed / values with a band × 100',
    'Composite = mean of the criteria that apply to the agency; ranked per quarter',
  ],
}

function DatasetDetail({ id }: { id: string }) {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const dataset = useAsync(() => api<{ columns: DatasetColumn[]; description: string; owner: string }>(`/api/catalog/datasets/${id}`), [id])
  return (
    <Show value={dataset}>
      {(d) => (
        <div>
          <p>{d.description}</p>
          <DataTable<DatasetColumn>
            testId="dataset-columns"
            caption={t('columns')}
            rows={d.columns}
            columns={[
              { key: 'id', header: t('code'), as: 'code' },
              { key: 'label', header: t('column') },
              { key: 'type', header: t('type'), value: (c) => fmt.status(`columnType.${c.type}`) },
              { key: 'required', header: t('required'), value: (c) => (c.required ? '✓' : '') },
              { key: 'identifier', header: t('identifier'), value: (c) => (c.identifier ? fmt.status(`identifier.${c.identifier}`) : '') },
              {
                key: 'enum',
                header: t('enumValues'),
                // Each value with the label people write for it (either is accepted in a file).
                value: (c) =>
                  (c.enum ?? [])
                    .map((v) => {
                      const l = c.enum_labels?.find((x) => x.value === v)
                      return l ? `${lang === 'vi' ? l.label : (l.label_en ?? l.label)} (${v})` : v
                    })
                    .join(', '),
              },
              { key: 'personal', header: t('personalData'), value: (c) => (c.personal ? '✓' : '') },
            ]}
          />
          <details data-testid="guide-toggle">
            <summary>{t('datasetGuide')}</summary>
            <DatasetGuidePanel id={id} />
          </details>
          {account && (
            <Attachments
              path={`/api/catalog/datasets/${id}/attachments`}
              canUpload={account.role === 'steward' || account.role === 'admin' || (account.role === 'agency_officer' && account.agency === d.owner)}
              testId="dataset-attachments"
            />
          )}
        </div>
      )}
    </Show>
  )
}

export default function Catalog() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const [tab, setTab] = useState<'datasets' | 'indicators' | 'proposals'>('datasets')
  const mayPropose = account?.role === 'agency_officer' || account?.role === 'steward' || account?.role === 'admin'
  const [open, setOpen] = useState<string | null>(null)
  const datasets = useAsync(() => Promise.all([api<DatasetSummary[]>('/api/catalog/datasets'), api<Lineage>('/api/lineage')]), [])
  const indicators = useAsync(async () => [...(await indicatorMap()).values()], [])
  const names = useNames(lang)
  return (
    <div>
      <div className="toolbar">
        <h1>{t('catalog')}</h1>
      </div>
      <Tabs<typeof tab>
        value={tab}
        onChange={setTab}
        tabs={[
          { key: 'datasets', label: t('datasets') },
          { key: 'indicators', label: t('indicators') },
          ...(mayPropose ? [{ key: 'proposals' as const, label: t('proposals'), testId: 'tab-proposals' }] : []),
        ]}
      />
      {tab === 'proposals' && <DatasetProposals />}
      {tab === 'datasets' && (
        <Show value={datasets}>
          {([list, lineage]) => (
            <>
              <DataTable<DatasetSummary>
                testId="datasets"
                rows={list}
                columns={[
                  {
                    key: 'name',
                    header: t('dataset'),
                    value: (d) => (lang === 'vi' ? d.name : (d.name_en ?? d.name)),
                    cell: (d) => (
                      <button type="button" className="linkish" onClick={() => setOpen(open === d.id ? null : d.id)}>
                        {lang === 'vi' ? d.name : (d.name_en ?? d.name)}
                      </button>
                    ),
                  },
                  { key: 'owner', header: t('owner'), value: (d) => names.agency(d.owner), as: 'name' },
                  { key: 'update_frequency', header: t('frequency'), value: (d) => fmt.status(`frequency.${d.update_frequency}`) },
                  { key: 'deadline', header: t('dueOn'), value: (d) => (d.deadline.after === 'change' ? `+${d.deadline.working_days} ${t('afterChange')}` : `${t('afterPeriodEnd')} ${d.deadline.days} ${t('days')}`) },
                  { key: 'method', header: t('method'), value: (d) => fmt.status(`method.${d.sharing.method}`) },
                  { key: 'scope', header: t('scope'), value: (d) => fmt.status(`scope.${d.sharing.scope}`) },
                  { key: 'protection', header: t('protection'), value: (d) => fmt.status(`protection.${d.protection}`) },
                  {
                    key: 'freshness',
                    header: t('freshness'),
                    cell: (d) => {
                      const s = lineage.sources.find((x) => x.dataset === d.id)
                      return s ? <span className={`badge ${s.status}`}>{`${fmt.status(s.status)} · ${fmt.date(s.lastLoadedAt)}`}</span> : '—'
                    },
                  },
                  {
                    key: 'lineage',
                    header: t('lineage'),
                    value: (d) => lineage.sources.find((x) => x.dataset === d.id)?.feeds.join(' → ') ?? '',
                    // Model names are the warehouse's tables, shown as the identifiers they are.
                    as: 'code',
                  },
                ]}
              />
              {open && (
                <section className="panel">
                  <h2>
                    {(() => {
                      const d = list.find((x) => x.id === open)
                      return d ? (lang === 'vi' ? d.name : (d.name_en ?? d.name)) : open
                    })()}{' '}
                    <code>{open}</code>
                  </h2>
                  <DatasetDetail id={open} />
                  <h3>{t('lineage')}</h3>
                  <ul>
                    {lineage.models
                      .filter((m) => m.sources.includes(open))
                      .map((m) => (
                        <li key={m.name}>
                          <code>raw.{open}</code> → <code>{m.table}</code>
                          {m.description ? ` (${m.description})` : ''} → <code>{m.usedBy.join(', ') || '—'}</code> →{' '}
                          <code>{lineage.cubes.filter((c) => c.models.some((x) => x === m.name || m.usedBy.includes(x))).map((c) => c.name).join(', ') || '—'}</code>
                        </li>
                      ))}
                  </ul>
                </section>
              )}
              <section className="panel" data-testid="quality-formulas">
                <h2>{t('formulas')}</h2>
                <pre className="formula">{QUALITY_FORMULAS[lang].join('\n')}</pre>
              </section>
            </>
          )}
        </Show>
      )}
      {tab === 'indicators' && (
        <Show value={indicators}>
          {(list) => (
            <DataTable<IndicatorAnswer>
              testId="indicators"
              rows={list}
              pageSize={60}
              columns={[
                { key: 'code', header: t('code'), as: 'code' },
                { key: 'name', header: t('indicators'), value: (i) => (lang === 'vi' ? i.name_vi : i.name_en) },
                { key: 'unit', header: t('unit'), value: (i) => fmt.unit(i.unit) },
                { key: 'frequency', header: t('frequency'), value: (i) => fmt.status(`frequency.${i.frequency}`) },
                { key: 'owner', header: t('owner'), value: (i) => names.agency(i.owner), as: 'name' },
                { key: 'formula', header: t('formula'), value: (i) => i.formula[lang] },
              ]}
            />
          )}
        </Show>
      )}
    </div>
  )
}
