import { useState, type FormEvent } from 'react'
import { api, ApiError, download } from '../../api.ts'
import { useAuth } from '../../auth.tsx'
import { ErrorBox, Show, useAsync } from '../../components/async.tsx'
import { DataTable } from '../../components/data-table.tsx'
import { useLang } from '../../i18n.ts'

interface AccountRow {
  username: string
  display_name: string
  role: string
  agency: string
  commune_code: string
  personal_data: boolean
  disabled: boolean
}
interface AuditRow {
  at: string
  account: string
  role: string
  endpoint: string
  members: string[]
  row_count: number
  outcome: string
  reason: string
}
interface JobRun {
  job: string
  scheduled_for: string
  trigger: string
  status: string
  output: string
  message: string
  started_at: string
}

const ROLES = ['leader', 'analyst', 'agency_officer', 'steward', 'admin']

function Accounts() {
  const { t } = useLang()
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<Error | null>(null)
  const accounts = useAsync(() => api<AccountRow[]>('/api/admin/accounts'), [version])
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    try {
      await api('/api/admin/accounts', {
        body: { username: f.get('username'), display_name: f.get('display_name'), password: f.get('password'), role: f.get('role'), agency: f.get('agency'), personal_data: f.get('personal_data') === 'on' },
      })
      setError(null)
      setVersion((v) => v + 1)
      e.currentTarget?.reset()
    } catch (err) {
      setError(err as ApiError)
    }
  }
  return (
    <section className="panel">
      <h2>{t('accounts')}</h2>
      <Show value={accounts}>
        {(rows) => (
          <DataTable<AccountRow>
            testId="accounts"
            rows={rows}
            columns={[
              { key: 'username', header: t('username') },
              { key: 'display_name', header: t('displayName') },
              { key: 'role', header: t('role') },
              { key: 'agency', header: t('agency') },
              { key: 'personal_data', header: t('personalData'), value: (r) => (r.personal_data ? '✓' : '') },
              { key: 'disabled', header: t('disabled'), value: (r) => (r.disabled ? '✓' : '') },
            ]}
          />
        )}
      </Show>
      <form className="form-row" onSubmit={create}>
        <label>
          {t('username')}
          <input name="username" required pattern="[a-z0-9_.\-]{3,64}" />
        </label>
        <label>
          {t('displayName')}
          <input name="display_name" />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" required minLength={10} />
        </label>
        <label>
          {t('role')}
          <select name="role">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          {t('agency')}
          <input name="agency" />
        </label>
        <label>
          <span>
            <input type="checkbox" name="personal_data" /> {t('personalData')}
          </span>
        </label>
        <button type="submit">{t('create')}</button>
      </form>
      {error && <ErrorBox error={error} />}
    </section>
  )
}

function Audit() {
  const { t, fmt } = useLang()
  const [filter, setFilter] = useState({ account: '', outcome: '', from: '', to: '' })
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString()
  const rows = useAsync(() => api<AuditRow[]>(`/api/audit?limit=2000&${query}`), [query])
  const set = (k: keyof typeof filter) => (e: { target: { value: string } }) => setFilter({ ...filter, [k]: e.target.value })
  return (
    <section className="panel">
      <h2>{t('audit')}</h2>
      <div className="form-row">
        <label>
          {t('username')}
          <input value={filter.account} onChange={set('account')} />
        </label>
        <label>
          {t('outcome')}
          <select value={filter.outcome} onChange={set('outcome')}>
            <option value="">{t('all')}</option>
            <option value="ok">ok</option>
            <option value="denied">denied</option>
            <option value="error">error</option>
          </select>
        </label>
        <label>
          {t('from')}
          <input type="date" value={filter.from} onChange={set('from')} />
        </label>
        <label>
          {t('to')}
          <input type="date" value={filter.to} onChange={set('to')} />
        </label>
        <button type="button" onClick={() => void download(`/api/audit?format=csv&limit=100000&${query}`, 'nhat_ky_truy_cap.csv')}>
          {t('exportCsv')}
        </button>
      </div>
      <Show value={rows} empty={(d) => d.length === 0}>
        {(list) => (
          <DataTable<AuditRow>
            testId="audit"
            rows={list}
            columns={[
              { key: 'at', header: t('at'), cell: (r) => fmt.date(r.at) },
              { key: 'account', header: t('username') },
              { key: 'role', header: t('role') },
              { key: 'endpoint', header: 'API' },
              { key: 'members', header: t('measures'), value: (r) => (r.members ?? []).join(', ') },
              { key: 'row_count', header: t('rows'), numeric: true },
              { key: 'outcome', header: t('outcome') },
              { key: 'reason', header: t('reason') },
            ]}
          />
        )}
      </Show>
    </section>
  )
}

function Jobs({ canRun }: { canRun: boolean }) {
  const { t, fmt } = useLang()
  const [version, setVersion] = useState(0)
  const jobs = useAsync(() => api<{ jobs: string[]; runs: JobRun[] }>('/api/jobs?limit=50'), [version])
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
                    {t('runNow')}: {j}
                  </button>
                ))}
              </div>
            )}
            <DataTable<JobRun>
              rows={d.runs}
              columns={[
                { key: 'job', header: t('job') },
                { key: 'scheduled_for', header: t('scheduledFor'), cell: (r) => fmt.date(r.scheduled_for) },
                { key: 'trigger', header: t('trigger') },
                { key: 'status', header: t('status'), cell: (r) => <span className={`badge ${r.status}`}>{fmt.status(r.status)}</span> },
                { key: 'output', header: t('file') },
                { key: 'message', header: t('reason') },
              ]}
            />
          </>
        )}
      </Show>
    </section>
  )
}

export default function Admin() {
  const { t } = useLang()
  const { account } = useAuth()
  const isAdmin = account?.role === 'admin'
  return (
    <div>
      <div className="toolbar">
        <h1>{t('admin')}</h1>
      </div>
      {isAdmin && <Accounts />}
      <Audit />
      <Jobs canRun={isAdmin} />
    </div>
  )
}
