import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { Feedback, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { agencyMap, useNames } from '../../../catalog-data.ts'
import type { ShareableDataset } from '../../../../../../infra/contracts/sharing.ts'
import { DateInput } from '../../../components/date-input.tsx'

interface SystemRow {
  id: string
  name: string
  agency: string
  contact: string
  views: string[]
  addresses: string[]
  expires_on: string | null
  disabled: boolean
  third_party: boolean
  operator_name: string
  feed_url: string
  keys: { key_id: string; created_at: string; revoked_at: string | null }[]
}

const list = (v: FormDataEntryValue | null) =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

/** Consuming systems (LGSP): register, issue a key (shown once), revoke keys, disable. */
export function SystemsPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const [version, setVersion] = useState(0)
  const [issued, setIssued] = useState<{ system: string; key: string } | null>(null)
  const systems = useAsync(() => api<SystemRow[]>('/api/admin/systems'), [version])
  // Views and agencies by name: picked from lists, never typed as codes.
  const views = useAsync(async () => [...new Map((await api<ShareableDataset[]>('/api/sharing/datasets')).flatMap((d) => d.views).map((v) => [v.name, v])).values()], [])
  const agencies = useAsync(agencyMap, [])
  const viewTitle = (name: string) => {
    const v = views.state === 'ready' ? views.data.find((x) => x.name === name) : undefined
    return v ? (lang === 'vi' ? v.title : v.title_en) : name
  }
  const reload = () => setVersion((v) => v + 1)
  const attempted = useAttempt(reload)
  const { attempt } = attempted
  const register = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    void attempt(async () => {
      await api('/api/admin/systems', {
        body: { id: f.get('id'), name: f.get('name'), agency: f.get('agency'), contact: f.get('contact'), views: f.getAll('views').map(String), addresses: list(f.get('addresses')), expires_on: f.get('expires_on') || null,
          third_party: f.get('third_party') === 'on', operator_name: f.get('operator_name') ?? '', feed_url: f.get('feed_url') ?? '' },
      })
      form.reset()
    }, 'register', t('doneSaved'))
  }
  const issue = (id: string) => attempt(async () => setIssued({ system: id, ...(await api<{ key: string }>(`/api/admin/systems/${id}/keys`, { method: 'POST' })) }))
  const revoke = (id: string, key: string) => attempt(() => api(`/api/admin/systems/${id}/keys/${key}`, { method: 'DELETE' }))
  const toggle = (s: SystemRow) => attempt(() => api(`/api/admin/systems/${s.id}`, { method: 'PATCH', body: { disabled: !s.disabled } }))
  return (
    <section className="panel">
      <h2>{t('systems')}</h2>
      {issued && (
        <p className="state ok" role="status">
          {t('keyOnce')} ({issued.system}): <code data-testid="issued-key">{issued.key}</code>
        </p>
      )}
      <Show value={systems}>
        {(rows) => (
          <DataTable<SystemRow>
            testId="systems"
            rows={rows}
            columns={[
              { key: 'id', header: t('systemId'), as: 'code' },
              { key: 'name', header: t('displayName'), as: 'name' },
              { key: 'agency', header: t('agency'), value: (s) => names.agency(s.agency), as: 'name' },
              { key: 'views', header: t('views'), value: (s) => s.views.map(viewTitle).join(', ') },
              { key: 'addresses', header: t('addresses'), value: (s) => s.addresses.join(', ') || t('all') },
              { key: 'expires_on', header: t('expiresOn'), cell: (s) => fmt.day(s.expires_on) },
              { key: 'operator_name', header: t('operatorName'), value: (s) => (s.third_party ? s.operator_name || t('thirdParty') : '') },
              { key: 'feed_url', header: t('feedUrl'), value: (s) => s.feed_url },
              {
                key: 'keys',
                header: t('keys'),
                value: (s) => s.keys.filter((k) => !k.revoked_at).length,
                cell: (s) => (
                  <span className="actions">
                    {s.keys
                      .filter((k) => !k.revoked_at)
                      .map((k) => (
                        <button key={k.key_id} type="button" title={fmt.date(k.created_at)} onClick={() => void revoke(s.id, k.key_id)}>
                          {t('revoke')} {k.key_id}
                        </button>
                      ))}
                    <button type="button" onClick={() => void issue(s.id)}>
                      {t('issueKey')}
                    </button>
                    <button type="button" onClick={() => void toggle(s)}>
                      {s.disabled ? t('enable') : t('disable')}
                    </button>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Show>
      <form className="form-row" onSubmit={register}>
        <label>
          {t('systemId')}
          <input name="id" required pattern="[a-z0-9_\-]{3,40}" />
        </label>
        <label>
          {t('displayName')}
          <input name="name" required />
        </label>
        <label>
          {t('agency')}
          <select name="agency" required>
            {(agencies.state === 'ready' ? [...agencies.data.values()] : []).map((a) => (
              <option key={a.code} value={a.code} lang="vi">
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('contact')}
          <input name="contact" />
        </label>
        <label>
          {t('views')}
          <select name="views" multiple size={5}>
            {(views.state === 'ready' ? views.data : []).map((v) => (
              <option key={v.name} value={v.name}>
                {lang === 'vi' ? v.title : v.title_en}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('addresses')}
          <input name="addresses" />
        </label>
        <label>
          {t('expiresOn')}
          <DateInput name="expires_on" />
        </label>
        <label>
          {t('feedUrl')}
          <input name="feed_url" type="url" placeholder="https://" title={t('feedUrlHint')} />
        </label>
        <label>
          <input name="third_party" type="checkbox" />
          {t('thirdParty')}
        </label>
        <label>
          {t('operatorName')}
          <input name="operator_name" />
        </label>
        <button type="submit">{t('register')}</button>
      </form>
      <Feedback of={attempted} />
    </section>
  )
}
