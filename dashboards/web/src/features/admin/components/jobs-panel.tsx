import { useState } from 'react'
import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'

interface JobRun {
  job: string
  scheduled_for: string
  trigger: string
  status: string
  output: string
  message: string
  started_at: string
}


/** Scheduled jobs and their runs; an administrator may run one now. */
export function JobsPanel({ canRun }: { canRun: boolean }) {
  const { t, fmt, lang } = useLang()
  const [version, setVersion] = useState(0)
  const jobs = useAsync(() => api<{ jobs: string[]; titles: Record<string, { vi: string; en: string }>; runs: JobRun[] }>('/api/jobs?limit=50'), [version])
  const run = async (id: string) => {
    await api(`/api/jobs/${encodeURIComponent(id)}/run`, { method: 'POST' })
    setVersion((v) => v + 1)
  }
  return (
    <section className="panel">
      <h2>{t('jobs')}</h2>
      <Show value={jobs}>
        {(d) => (
          <>
            {canRun && (
              <div className="form-row">
                {d.jobs.map((j) => (
                  <button key={j} type="button" onClick={() => void run(j)}>
                    {t('runNow')}: {d.titles[j]?.[lang] ?? j}
                  </button>
                ))}
              </div>
            )}
            <DataTable<JobRun>
              rows={d.runs}
              columns={[
                { key: 'job', header: t('job'), value: (r) => d.titles[r.job]?.[lang] ?? r.job },
                { key: 'scheduled_for', header: t('scheduledFor'), cell: (r) => fmt.date(r.scheduled_for) },
                { key: 'trigger', header: t('trigger'), value: (r) => fmt.status(`trigger.${r.trigger}`) },
                { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status}`}>{fmt.status(r.status)}</span> },
                { key: 'output', header: t('file'), as: 'code' },
                // Reasons kho words itself have a label; an error's own text is shown as it is.
                { key: 'message', header: t('reason'), value: (r) => (fmt.status(`jobReason.${r.message}`).startsWith('jobReason.') ? r.message : fmt.status(`jobReason.${r.message}`)) },
              ]}
            />
          </>
        )}
      </Show>
    </section>
  )
}
