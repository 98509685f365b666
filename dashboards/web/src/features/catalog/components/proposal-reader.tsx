import type { ReactNode } from 'react'
import { api, ApiError } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { useLang, type Key } from '../../../i18n.ts'
import { useNames } from '../../../catalog-data.ts'
import { entryDiff, type EntryColumn, type ReadEntry } from '../entry-diff.ts'

/** The entry in force, or null for a dataset the catalogue does not have yet. */
const current = (id: string) =>
  api<ReadEntry>(`/api/catalog/datasets/${encodeURIComponent(id)}`).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null
    throw err
  })

const FIELD: Record<string, Key> = {
  name: 'dataset',
  name_en: 'nameEn',
  description: 'description',
  update_frequency: 'frequency',
  deadline: 'dueOn',
  natural_key: 'naturalKey',
  changed_on: 'changedOn',
  personal_data: 'personalData',
  sharing: 'scope',
  formats: 'formats',
  reject_threshold: 'rejectThreshold',
  pull: 'pullConnector',
  computes: 'computes',
}

/**
 * A proposed catalogue entry as a steward reads it before deciding: every field in words, its
 * columns, its pull settings, and what it changes in the entry in force (added, removed and
 * changed columns marked).
 */
export function ProposalReader({ entry, actions }: { entry: ReadEntry; actions: ReactNode }) {
  const { t: words, fmt, lang } = useLang()
  // The form's labels carry typing hints ("(mã, cách nhau dấu phẩy)"): read here without them.
  const t = (k: Key) => words(k).replace(/\s*\([^)]*\)$/, '')
  const names = useNames(lang)
  const before = useAsync(() => current(entry.id), [entry.id])
  const label = (e: ReadEntry, id: string | null) => e.columns.find((c) => c.id === id)?.label ?? id ?? '—'
  const yes = (b: boolean) => (b ? t('yes') : t('no'))
  const deadline = (d: unknown) => {
    const r = d as { after?: string; days?: number; working_days?: number } | null
    if (!r) return t('deadlineDefault')
    return r.after === 'change' ? `${t('eachChange')} + ${r.working_days} ${t('workingDays')}` : `${t('afterPeriodEnd')} ${r.days} ${t('days')}`
  }
  // An enumeration's values by the labels people write, each with its code (either is accepted in a
  // file); a code with no label is shown as the code it is.
  const valueWords = (c: EntryColumn): ReactNode[] =>
    (c.enum ?? []).map((v, i) => {
      const l = c.enum_labels?.find((x) => x.value === v)
      return (
        <span key={v}>
          {i > 0 ? ', ' : ''}
          {l ? `${lang === 'vi' ? l.label : (l.label_en ?? l.label)} (${v})` : <code>{v}</code>}
        </span>
      )
    })
  const colType = (c: EntryColumn) => (
    <>
      {[fmt.status(`columnType.${c.type}`), c.identifier ? fmt.status(`identifier.${c.identifier}`) : ''].filter(Boolean).join(' · ')}
      {c.enum && (
        <>
          {' · '}
          {t('enumValues')}: {valueWords(c)}
        </>
      )}
    </>
  )
  return (
    <section className="panel proposal-reader" data-testid="proposal-reader" aria-label={t('readProposal')}>
      <h3>
        <span lang="vi">{entry.name}</span> — {names.agency(entry.owner)}
      </h3>
      <Show value={before}>
        {(was) => {
          const diff = entryDiff(was, entry)
          const mark = (id: string) => (diff?.added.includes(id) ? 'added' : diff?.changed.some((c) => c.id === id) ? 'changed' : '')
          return (
            <>
              <p className={diff ? 'state warn' : 'state ok'} data-testid="proposal-diff">
                {!diff
                  ? t('newDatasetEntry')
                  : diff.fields.length + diff.added.length + diff.removed.length + diff.changed.length === 0
                    ? t('sameAsCurrent')
                    : [
                        diff.fields.length > 0 ? `${t('changedFields')}: ${diff.fields.map((f) => (FIELD[f.field] ? t(FIELD[f.field]!) : f.field)).join(', ')}` : '',
                        diff.added.length > 0 ? `${t('addedColumns')}: ${diff.added.map((id) => label(entry, id)).join(', ')}` : '',
                        diff.removed.length > 0 ? `${t('removedColumns')}: ${diff.removed.map((id) => label(was!, id)).join(', ')}` : '',
                        diff.changed.length > 0 ? `${t('changedColumns')}: ${diff.changed.map((c) => label(entry, c.id)).join(', ')}` : '',
                      ]
                        .filter(Boolean)
                        .join('. ')}
              </p>
              <dl className="facts">
                <dt>{t('description')}</dt>
                <dd lang="vi">{entry.description}</dd>
                <dt>{t('frequency')}</dt>
                <dd>{fmt.status(`frequency.${entry.update_frequency}`)}</dd>
                <dt>{t('dueOn')}</dt>
                <dd>{deadline(entry.deadline)}</dd>
                <dt>{t('scope')}</dt>
                <dd>
                  {fmt.status(`scope.${entry.sharing.scope}`)} · {fmt.status(`method.${entry.sharing.method}`)}
                </dd>
                <dt>{t('consumers')}</dt>
                <dd>{entry.sharing.consumers.length > 0 ? entry.sharing.consumers.map(names.agency).join(', ') : '—'}</dd>
                <dt>{t('naturalKey')}</dt>
                <dd lang="vi">{entry.natural_key.map((k) => label(entry, k)).join(', ')}</dd>
                <dt>{t('changedOn')}</dt>
                <dd lang="vi">{entry.changed_on ? label(entry, entry.changed_on) : '—'}</dd>
                <dt>{t('personalData')}</dt>
                <dd>{yes(entry.columns.some((c) => c.personal))}</dd>
                <dt>{t('pullConnector')}</dt>
                <dd>{entry.pull ? <PullFacts pull={entry.pull as PullEntry} /> : '—'}</dd>
              </dl>
              <table className="columns-read" data-testid="proposal-columns">
                <thead>
                  <tr>
                    <th>{t('label')}</th>
                    <th>{t('code')}</th>
                    <th>{t('type')}</th>
                    <th>{t('required')}</th>
                    <th>{t('personalData')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entry.columns.map((c) => (
                    <tr key={c.id} data-mark={mark(c.id) || undefined}>
                      <td lang="vi">
                        {c.label}
                        {mark(c.id) && <span className="badge">{t(mark(c.id) === 'added' ? 'markAdded' : 'markChanged')}</span>}
                      </td>
                      <td>
                        <code>{c.id}</code>
                      </td>
                      <td>{colType(c)}</td>
                      <td>{yes(c.required)}</td>
                      <td>{yes(c.personal)}</td>
                    </tr>
                  ))}
                  {diff?.removed.map((id) => (
                    <tr key={id} data-mark="removed">
                      <td lang="vi">
                        <s>{label(was!, id)}</s> <span className="badge">{t('markRemoved')}</span>
                      </td>
                      <td>
                        <code>{id}</code>
                      </td>
                      <td colSpan={3} />
                    </tr>
                  ))}
                </tbody>
              </table>
              {actions}
            </>
          )
        }}
      </Show>
    </section>
  )
}

interface PullEntry {
  url: string
  schedule: string
  auth: { header: string; secret: string } | null
  incremental: { field: string; param: string } | null
}

/** Where a pull connector calls, when, and what it sends, in words. */
function PullFacts({ pull }: { pull: PullEntry }) {
  const { t } = useLang()
  return (
    <>
      {t('calls')} <code>{pull.url}</code> · {t('pullSchedule')} <code>{pull.schedule}</code>
      {pull.auth && (
        <>
          {' '}
          · {t('sendsSecret')} <code>{pull.auth.header}</code> = «{pull.auth.secret}»
        </>
      )}
      {pull.incremental && <> · {t('incrementalPull')}</>}
    </>
  )
}
