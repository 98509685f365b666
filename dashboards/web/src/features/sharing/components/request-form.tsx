import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../../api.ts'
import { ErrorBox } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'
import { datasetTitle, sendLetter } from '../sharing-types.ts'
import { FREQUENCY_WORDS, GRANT_LEVELS, LEVEL_WORDS, METHOD_WORDS, SHARING_FREQUENCIES, SHARING_METHODS, type ShareableDataset } from '../../../../../../infra/contracts/sharing.ts'
import { DateInput } from '../../../components/date-input.tsx'
import { khoDay } from '../../../kho-clock.ts'

const day = khoDay

/** One of a request's coded settings (level, method, frequency), offered in words. */
function Choice<T extends string>({ name, label, values, words, initial }: { name: string; label: string; values: readonly T[]; words: Record<T, readonly [string, string]>; initial: T }) {
  const { lang } = useLang()
  return (
    <label>
      {label}
      <select name={name} defaultValue={initial}>
        {values.map((v) => (
          <option key={v} value={v}>
            {words[v][lang === 'vi' ? 0 : 1]}
          </option>
        ))}
      </select>
    </label>
  )
}

/**
 * An officer asks for a dataset its agency does not hold — for its officers or one of its systems —
 * with views (optionally members), level, method, frequency, purpose, basis, period and the signed
 * written request, sent together.
 */
export function RequestForm({ datasets, systems, onSent }: { datasets: ShareableDataset[]; systems: { id: string; name: string }[]; onSent: () => void }) {
  const { t, lang } = useLang()
  const askable = datasets.filter((d) => d.access === 'none' || d.access === 'granted')
  const [datasetId, setDatasetId] = useState(askable[0]?.id ?? '')
  const [views, setViews] = useState<string[]>([])
  const [members, setMembers] = useState<string[]>([])
  const [error, setError] = useState<Error | null>(null)
  const [sent, setSent] = useState<string | null>(null)
  const dataset = askable.find((d) => d.id === datasetId)
  const toggle = (list: string[], set: (l: string[]) => void, x: string) => set(list.includes(x) ? list.filter((y) => y !== x) : [...list, x])
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    try {
      const recipient = String(f.get('recipient') ?? '')
      const r = await api<{ id: string }>('/api/sharing/requests', {
        body: {
          dataset: datasetId,
          views,
          members,
          ...(recipient ? { recipient: 'system', system_id: recipient } : {}),
          level: f.get('level'),
          method: f.get('method'),
          frequency: f.get('frequency'),
          purpose: f.get('purpose'),
          legal_basis: f.get('legal_basis'),
          starts_on: f.get('starts_on'),
          ends_on: f.get('ends_on'),
        },
      })
      await sendLetter(r.id, 'request', f.get('letter') as File)
      setError(null)
      setSent(r.id)
      onSent()
    } catch (err) {
      setError(err as ApiError)
    }
  }
  if (askable.length === 0) return null
  return (
    <section className="panel" aria-labelledby="ask-title">
      <h2 id="ask-title">{t('askTitle')}</h2>
      <form className="form-grid" onSubmit={submit} data-testid="request-form">
        <label>
          {t('dataset')}
          <select name="dataset" value={datasetId} onChange={(e) => (setDatasetId(e.target.value), setViews([]), setMembers([]))}>
            {askable.map((d) => (
              <option key={d.id} value={d.id}>
                {datasetTitle(d, lang)} — {d.owner_name}
              </option>
            ))}
          </select>
        </label>
        {dataset && (
          <fieldset>
            <legend>{t('views')}</legend>
            {dataset.views.map((v) => (
              <div key={v.name} className="choice-group">
                <label className="inline">
                  <input type="checkbox" name="view" value={v.name} checked={views.includes(v.name)} onChange={() => toggle(views, setViews, v.name)} /> {lang === 'vi' ? v.title : v.title_en}
                </label>
                {views.includes(v.name) && (
                  <div className="choices" aria-label={t('members')}>
                    {v.members.map((m) => (
                      <label key={m.name} className="inline small">
                        <input type="checkbox" name="member" value={m.name} checked={members.includes(m.name)} onChange={() => toggle(members, setMembers, m.name)} /> {lang === 'vi' ? m.title : m.title_en}
                        {m.personal ? ' 🔒' : ''}
                      </label>
                    ))}
                  </div>
                )}
              </div>
            ))}
          </fieldset>
        )}
        <label>
          {t('recipient')}
          <select name="recipient" defaultValue="">
            <option value="">{t('recipientAgency')}</option>
            {systems.map((s) => (
              <option key={s.id} value={s.id}>
                {t('system')}: {s.name}
              </option>
            ))}
          </select>
        </label>
        <Choice name="level" label={t('level')} values={GRANT_LEVELS} words={LEVEL_WORDS} initial="use" />
        <Choice name="method" label={t('method')} values={SHARING_METHODS} words={METHOD_WORDS} initial="query" />
        <Choice name="frequency" label={t('frequency')} values={SHARING_FREQUENCIES} words={FREQUENCY_WORDS} initial="as_needed" />
        <label>
          {t('purpose')}
          <textarea name="purpose" required minLength={10} rows={2} />
        </label>
        <label>
          {t('legalBasis')}
          <input name="legal_basis" required minLength={3} />
        </label>
        <label>
          {t('startsOn')}
          <DateInput name="starts_on" required defaultValue={day(0)} />
        </label>
        <label>
          {t('endsOn')}
          <DateInput name="ends_on" required defaultValue={day(90)} />
        </label>
        <label>
          {t('requestLetter')}
          <input type="file" name="letter" required accept=".pdf,.doc,.docx,.odt,.jpg,.jpeg,.png,.tif,.tiff" />
        </label>
        <p className="hint">{t('bothSidesHint')}</p>
        {views.length === 0 && <p className="hint">{t('pickAView')}</p>}
        <button type="submit" disabled={views.length === 0}>
          {t('send')}
        </button>
      </form>
      {sent && (
        <p className="state ok" role="status">
          {t('sent')}: {sent}
        </p>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  )
}
