import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../../api.ts'
import { ErrorBox, Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useNames } from '../../../catalog-data.ts'
import { useLang } from '../../../i18n.ts'

interface AccountRow {
  username: string
  display_name: string
  role: string
  agency: string
  commune_code: string
  email: string
  personal_data: boolean
  disabled: boolean
  must_change_password: boolean
  last_sign_in: string | null
}

const ROLES = ['leader', 'analyst', 'agency_officer', 'steward', 'admin']

function RoleSelect({ value }: { value?: string }) {
  const { fmt } = useLang()
  return (
    <select name="role" defaultValue={value}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {fmt.status(`role.${r}`)}
        </option>
      ))}
    </select>
  )
}

/** One account's changes: role, agency, commune, e-mail, personal data; disable; reset its password. */
function AccountEditor({ a, onDone }: { a: AccountRow; onDone: () => void }) {
  const { t } = useLang()
  const [error, setError] = useState<Error | null>(null)
  const [temporary, setTemporary] = useState<string | null>(null)
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    try {
      await api(`/api/admin/accounts/${encodeURIComponent(a.username)}`, {
        method: 'PATCH',
        body: { role: f.get('role'), agency: f.get('agency'), commune_code: f.get('commune_code'), email: f.get('email'), personal_data: f.get('personal_data') === 'on' },
      })
      setError(null)
      onDone()
    } catch (err) {
      setError(err as ApiError)
    }
  }
  const toggle = async () => {
    await api(`/api/admin/accounts/${encodeURIComponent(a.username)}`, { method: 'PATCH', body: { disabled: !a.disabled } }).catch(setError)
    onDone()
  }
  const reset = async () => {
    try {
      const r = await api<{ temporary_password: string }>(`/api/admin/accounts/${encodeURIComponent(a.username)}/reset-password`, { method: 'POST', body: {} })
      setTemporary(r.temporary_password)
    } catch (err) {
      setError(err as ApiError)
    }
  }
  return (
    <form className="form-row editor" onSubmit={save} data-testid={`edit-${a.username}`}>
      <label>
        {t('role')}
        <RoleSelect value={a.role} />
      </label>
      <label>
        {t('agency')}
        <input name="agency" defaultValue={a.agency} />
      </label>
      <label>
        {t('code')}
        <input name="commune_code" defaultValue={a.commune_code} size={6} />
      </label>
      <label>
        {t('email')}
        <input name="email" type="email" defaultValue={a.email} />
      </label>
      <label className="inline">
        <input type="checkbox" name="personal_data" defaultChecked={a.personal_data} /> {t('personalData')}
      </label>
      <button type="submit">{t('save')}</button>
      <button type="button" onClick={() => void toggle()}>
        {a.disabled ? t('enable') : t('disable')}
      </button>
      <button type="button" onClick={() => void reset()}>
        {t('resetPassword')}
      </button>
      {temporary && (
        <p className="state ok" role="status">
          {t('temporaryPassword')}: <code data-testid="temporary-password">{temporary}</code>
        </p>
      )}
      {error && <ErrorBox error={error} />}
    </form>
  )
}

/** Accounts with their last sign-in; an administrator creates and changes them. */
export function AccountsPanel({ canEdit }: { canEdit: boolean }) {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const [version, setVersion] = useState(0)
  const [editing, setEditing] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const accounts = useAsync(() => api<AccountRow[]>('/api/admin/accounts'), [version])
  const reload = () => setVersion((v) => v + 1)
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const f = new FormData(form)
    try {
      await api('/api/admin/accounts', {
        body: {
          username: f.get('username'),
          display_name: f.get('display_name'),
          password: f.get('password'),
          role: f.get('role'),
          agency: f.get('agency'),
          email: f.get('email'),
          personal_data: f.get('personal_data') === 'on',
        },
      })
      setError(null)
      reload()
      form.reset()
    } catch (err) {
      setError(err as ApiError)
    }
  }
  return (
    <section className="panel">
      <h2>{t('accounts')}</h2>
      <Show value={accounts}>
        {(rows) => (
          <>
            <DataTable<AccountRow>
              testId="accounts"
              rows={rows}
              columns={[
                { key: 'username', header: t('username'), as: 'code' },
                { key: 'display_name', header: t('displayName'), as: 'name' },
                { key: 'role', header: t('role'), value: (r) => fmt.status(`role.${r.role}`) },
                { key: 'agency', header: t('agency'), value: (r) => (r.agency ? names.agency(r.agency) : ''), as: 'name' },
                { key: 'email', header: t('email'), as: 'code' },
                { key: 'personal_data', header: t('personalData'), value: (r) => (r.personal_data ? '✓' : '') },
                { key: 'disabled', header: t('disabled'), value: (r) => (r.disabled ? '✓' : '') },
                { key: 'last_sign_in', header: t('lastSignIn'), cell: (r) => fmt.date(r.last_sign_in) },
                ...(canEdit
                  ? [
                      {
                        key: 'edit',
                        header: '',
                        value: () => '',
                        cell: (r: AccountRow) => (
                          <button type="button" data-edit={r.username} onClick={() => setEditing(editing === r.username ? null : r.username)}>
                            {t('save')}…
                          </button>
                        ),
                      },
                    ]
                  : []),
              ]}
            />
            {editing && rows.find((r) => r.username === editing) && <AccountEditor key={editing} a={rows.find((r) => r.username === editing)!} onDone={reload} />}
          </>
        )}
      </Show>
      {canEdit && (
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
            <RoleSelect />
          </label>
          <label>
            {t('agency')}
            <input name="agency" />
          </label>
          <label>
            {t('email')}
            <input name="email" type="email" />
          </label>
          <label className="inline">
            <input type="checkbox" name="personal_data" /> {t('personalData')}
          </label>
          <button type="submit">{t('create')}</button>
        </form>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  )
}
