import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../../api.ts'
import { useAuth } from '../../../auth.tsx'
import { useLang } from '../../../i18n.ts'

/** A title as an open dataset's id: no diacritics, lower case, dashes ("Dân số theo xã" → "dan-so-theo-xa"). */
const slug = (s: string) =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80)

/**
 * The explorer's question as open data: a steward publishes it, an agency officer proposes it for a
 * steward to approve. Either way the API runs it as the public first (closed views refused).
 */
export function OpenDataForm({ query }: { query: object }) {
  const { t, lang } = useLang()
  const { account } = useAuth()
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null)
  const publishes = account?.role === 'steward' || account?.role === 'admin'
  if (!publishes && account?.role !== 'agency_officer') return null
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const title = String(f.get('title') ?? '')
    const body = { id: slug(title), title, description: f.get('description'), refresh: f.get('refresh'), keywords: String(f.get('keywords') ?? '').split(',').map((k) => k.trim()).filter(Boolean), query }
    try {
      if (publishes) {
        await api('/api/open-data', { body })
        setOutcome({ ok: true, text: `${t('openDataPublished')}: /open-data/${body.id}.csv` })
      } else {
        const p = await api<{ id: string }>('/api/open-data/proposals', { body })
        setOutcome({ ok: true, text: `${t('openDataProposed')}: ${p.id}` })
      }
    } catch (err) {
      setOutcome({ ok: false, text: err instanceof ApiError ? (lang === 'vi' ? err.vi : err.en) : String(err) })
    }
  }
  return (
    <details className="panel" data-testid="open-data-form">
      <summary>{publishes ? t('openDataPublish') : t('openDataPropose')}</summary>
      <form onSubmit={(e) => void submit(e)}>
        <div className="form-row">
          <input name="title" required minLength={3} maxLength={200} placeholder={t('openDataTitle')} aria-label={t('openDataTitle')} />
          <input name="keywords" maxLength={400} placeholder={t('openDataKeywords')} aria-label={t('openDataKeywords')} />
          <select name="refresh" defaultValue="quarterly" aria-label={t('openDataRefresh')}>
            {(['monthly', 'quarterly', 'yearly', 'never'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`refresh_${r}`)}
              </option>
            ))}
          </select>
        </div>
        <textarea name="description" required minLength={10} maxLength={4000} rows={2} placeholder={t('openDataDescription')} aria-label={t('openDataDescription')} />
        <button type="submit">{publishes ? t('openDataPublish') : t('openDataPropose')}</button>
        {outcome && (
          <p className={`state ${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'}>
            {outcome.text}
          </p>
        )}
      </form>
    </details>
  )
}
