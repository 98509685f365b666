import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { useAuth } from '../../../auth.tsx'
import { ErrorBox, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import type { AllowedHost, StoredSecret } from '../../../../../../infra/contracts/admin.ts'


/**
 * What pull connectors may reach and carry: the hosts they may call (a steward lists a supplier's
 * server; the operator's stay) and the secrets they send (an administrator sets a value once; it is
 * never shown again, only its name, who set it and when).
 */
export function PullConnectionsPanel() {
  const { t, fmt } = useLang()
  const { account } = useAuth()
  const isAdmin = account?.role === 'admin'
  const [version, setVersion] = useState(0)
  const hosts = useAsync(() => api<AllowedHost[]>('/api/admin/pull-hosts'), [version])
  const secrets = useAsync(() => (isAdmin ? api<StoredSecret[]>('/api/admin/secrets') : Promise.resolve([])), [version, isAdmin])
  const { error, attempt } = useAttempt(() => setVersion((v) => v + 1))
  const allow = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    void attempt(async () => {
      await api(`/api/admin/pull-hosts/${encodeURIComponent(String(f.get('host')).trim())}`, { method: 'PUT', body: { note: f.get('note') } })
      form.reset()
    })
  }
  const setSecret = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    void attempt(async () => {
      await api(`/api/admin/secrets/${encodeURIComponent(String(f.get('name')).trim())}`, { method: 'PUT', body: { value: f.get('value') } })
      form.reset()
    })
  }
  return (
    <section className="panel" data-testid="pull-connections">
      <h2>{t('pullConnections')}</h2>
      <p className="muted">{t('pullHostsHint')}</p>
      <Show value={hosts} empty={(d) => d.length === 0} say={t('emptyHosts')}>
        {(rows) => (
          <DataTable<AllowedHost>
            testId="pull-hosts"
            rows={rows}
            columns={[
              { key: 'host', header: t('host'), as: 'code' },
              // The steward's own words, shown as written.
              { key: 'note', header: t('why'), value: (h) => h.note, cell: (h) => (h.fixed ? t('setByOperator') : <span translate="no">{h.note}</span>) },
              { key: 'listed_by', header: t('listedBy'), value: (h) => h.listed_by || '—' },
              { key: 'listed_at', header: t('at'), cell: (h) => fmt.date(h.listed_at) },
              {
                key: 'actions',
                header: '',
                value: () => '',
                cell: (h) =>
                  h.fixed ? null : (
                    <button type="button" onClick={() => void attempt(() => api(`/api/admin/pull-hosts/${encodeURIComponent(h.host)}`, { method: 'DELETE' }))}>
                      {t('disallow')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Show>
      <form className="form-row" onSubmit={allow} aria-label={t('allowHost')}>
        <label>
          {t('host')}
          <input name="host" required placeholder="api.soyt.laocai.gov.vn" />
        </label>
        <label>
          {t('why')}
          <input name="note" required minLength={3} />
        </label>
        <button type="submit">{t('allowHost')}</button>
      </form>
      {isAdmin && (
        <>
          <h3>{t('secretsTitle')}</h3>
          <Show value={secrets} empty={(d) => d.length === 0} say={t('emptySecrets')}>
            {(rows) => (
              <DataTable<StoredSecret>
                testId="secrets"
                rows={rows}
                columns={[
                  { key: 'name', header: t('secretName'), as: 'code' },
                  { key: 'set_by', header: t('listedBy') },
                  { key: 'set_at', header: t('at'), cell: (s) => fmt.date(s.set_at) },
                  {
                    key: 'actions',
                    header: '',
                    value: () => '',
                    cell: (s) => (
                      <button type="button" onClick={() => void attempt(() => api(`/api/admin/secrets/${encodeURIComponent(s.name)}`, { method: 'DELETE' }))}>
                        {t('delete')}
                      </button>
                    ),
                  },
                ]}
              />
            )}
          </Show>
          <form className="form-row" onSubmit={setSecret} aria-label={t('setSecret')}>
            <label>
              {t('secretName')}
              <input name="name" required pattern="[a-z0-9_.\-]{1,64}" />
            </label>
            <label>
              {t('secretValue')}
              <input name="value" type="password" required autoComplete="off" />
            </label>
            <button type="submit">{t('setSecret')}</button>
          </form>
        </>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  )
}
