import { useState } from 'react'
import { api, download } from '../../api.ts'
import { ErrorBox, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang, type Key } from '../../i18n.ts'

interface Words {
  vi: string
  en: string
}

interface BriefingInfo {
  id: string
  name: string
  name_en: string
  schedule: string
  schedule_words: Words
  period_words: Words
  /** The periods it may be built for, its own rule's first. */
  periods: { code: string }[]
  sheets: string[]
  files: { name: string; period: string; agency: string; bytes: number; modified: string }[]
}

/**
 * Scheduled Excel briefings: what each holds and when it is sent, in words; its workbooks by period
 * to download; and a build now for a period the reader chooses (every role that reads them may).
 */
export default function Briefings() {
  const { t, fmt, lang } = useLang()
  const [version, setVersion] = useState(0)
  const [chosen, setChosen] = useState<Record<string, string>>({})
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const list = useAsync(() => api<BriefingInfo[]>('/api/briefings'), [version])
  const words = (w: Words) => w[lang]
  const run = async (b: BriefingInfo) => {
    setBusy(b.id)
    setError(null)
    try {
      await api(`/api/briefings/${b.id}/run`, { body: { period: chosen[b.id] ?? b.periods[0]!.code } })
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err as Error)
    } finally {
      setBusy(null)
    }
  }
  return (
    <div>
      <div className="toolbar">
        <h1>{t('briefings')}</h1>
      </div>
      {error && <ErrorBox error={error} />}
      <Show value={list} empty={(d) => d.length === 0} say={t('emptyBriefings')}>
        {(briefings) => (
          <>
            {briefings.map((b) => (
              <section className="panel" key={b.id} data-testid={`briefing-${b.id}`}>
                <h2>{lang === 'vi' ? b.name : b.name_en}</h2>
                <dl className="facts">
                  <dt>{t('schedule')}</dt>
                  <dd data-testid="schedule">{words(b.schedule_words)}</dd>
                  <dt>{t('covers')}</dt>
                  <dd>{words(b.period_words)}</dd>
                  <dt>{t('contents')}</dt>
                  <dd>{b.sheets.map((k) => t(`sheet_${k}` as Key)).join(' · ')}</dd>
                </dl>
                <div className="toolbar">
                  <label>
                    {t('briefingFor')}{' '}
                    <select value={chosen[b.id] ?? b.periods[0]?.code ?? ''} onChange={(e) => setChosen((c) => ({ ...c, [b.id]: e.target.value }))} aria-label={`${t('briefingFor')} — ${lang === 'vi' ? b.name : b.name_en}`}>
                      {b.periods.map((p) => (
                        <option key={p.code} value={p.code}>
                          {fmt.period(p.code)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="button" onClick={() => void run(b)} disabled={busy !== null}>
                    {busy === b.id ? t('loading') : t('buildNow')}
                  </button>
                </div>
                {b.files.length === 0 ? (
                  <p className="muted">{t('noBriefingFiles')}</p>
                ) : (
                  <DataTable
                    rows={b.files}
                    pageSize={10}
                    columns={[
                      {
                        key: 'period',
                        header: t('period'),
                        cell: (f) => (
                          <button type="button" className="linkish" title={f.name} onClick={() => void download(`/api/briefings/${b.id}/files/${encodeURIComponent(f.name)}`, f.name)}>
                            {fmt.period(f.period || f.name)}
                            {f.agency ? ` · ${f.agency}` : ''}
                          </button>
                        ),
                      },
                      { key: 'modified', header: t('builtAt'), cell: (f) => fmt.date(f.modified) },
                      { key: 'bytes', header: t('size'), numeric: true, value: (f) => f.bytes, cell: (f) => `${fmt.number(f.bytes / 1024, 0)} kB` },
                    ]}
                  />
                )}
              </section>
            ))}
          </>
        )}
      </Show>
    </div>
  )
}
