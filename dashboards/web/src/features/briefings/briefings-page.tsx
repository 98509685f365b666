import { useState } from 'react'
import { api, download } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { ErrorBox, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'

interface BriefingInfo {
  id: string
  name: string
  schedule: string
  period: string
  sheets: string[]
  files: { name: string; bytes: number; modified: string }[]
  runs: { scheduled_for: string; trigger: string; status: string; message: string }[]
}

/** Scheduled Excel briefings: what each holds, when it runs, its workbooks to download, a run now. */
export default function Briefings() {
  const { t, fmt, lang } = useLang()
  const { account } = useAuth()
  const mayRun = account?.role === 'steward' || account?.role === 'admin'
  const [version, setVersion] = useState(0)
  const [period, setPeriod] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const list = useAsync(() => api<BriefingInfo[]>('/api/briefings'), [version])
  const run = async (id: string) => {
    setBusy(id)
    setError(null)
    try {
      await api(`/api/briefings/${id}/run`, { body: period ? { period } : {} })
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
        {mayRun && (
          <label>
            {t('period')}{' '}
            <input value={period} onChange={(e) => setPeriod(e.target.value.trim())} placeholder="2026-Q3" aria-label={t('period')} />
          </label>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      <Show value={list} empty={(d) => d.length === 0}>
        {(briefings) => (
          <>
            {briefings.map((b) => (
              <section className="panel" key={b.id} data-testid={`briefing-${b.id}`}>
                <h2>
                  {b.name}
                  {mayRun && (
                    <button type="button" onClick={() => void run(b.id)} disabled={busy !== null}>
                      {busy === b.id ? t('loading') : t('runNow')}
                    </button>
                  )}
                </h2>
                <p className="muted">
                  {lang === 'vi' ? 'Lịch' : 'Schedule'}: <code>{b.schedule}</code> · {b.period} · {b.sheets.join(', ')}
                </p>
                <DataTable
                  rows={b.files}
                  pageSize={10}
                  columns={[
                    {
                      key: 'name',
                      header: t('file'),
                      cell: (f) => (
                        <button type="button" className="linkish" onClick={() => void download(`/api/briefings/${b.id}/files/${encodeURIComponent(f.name)}`, f.name)}>
                          {f.name}
                        </button>
                      ),
                    },
                    { key: 'modified', header: t('refreshed'), cell: (f) => fmt.date(f.modified) },
                    { key: 'bytes', header: 'kB', numeric: true, value: (f) => Math.round(f.bytes / 1024) },
                  ]}
                />
              </section>
            ))}
          </>
        )}
      </Show>
    </div>
  )
}
