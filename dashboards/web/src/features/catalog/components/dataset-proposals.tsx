import { useState, type FormEvent } from 'react'
import { api } from '../../../api.ts'
import { useAuth } from '../../../auth.tsx'
import { Feedback, Show, useAsync, useAttempt } from '../../../components/async.tsx'
import { ProposalReader } from './proposal-reader.tsx'
import type { ReadEntry } from '../entry-diff.ts'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { agencyMap, useNames } from '../../../catalog-data.ts'

/** A column as the form edits it (the catalogue entry's column, the fields an officer fills). */
interface ColumnDraft {
  id: string
  label: string
  type: string
  required: boolean
  identifier: string
  enum: string
  personal: boolean
  /** The rest of an existing column (element, aliases, bounds, pattern…), kept as it is. */
  rest: Record<string, unknown>
}
/** A catalogue entry as the API serves it: the fields the form edits, and the rest kept as they are. */
interface Entry {
  id: string
  name: string
  owner: string
  description: string
  sharing: { scope: string; method: string; consumers: string[] }
  update_frequency: string
  natural_key: string[]
  changed_on: string | null
  columns: (Record<string, unknown> & { id: string; label: string; type: string; required: boolean; identifier: string | null; enum: string[] | null; personal: boolean })[]
  [field: string]: unknown
}
interface Proposal {
  dataset: string
  version: number
  entry: ReadEntry & { name_en?: string }
  status: string
  proposed_by: string
  agency: string
  reviewed_by: string
  note: string
  created_at: string
  /** What the entry's pull connector will call and send (the secret by name only). */
  outbound: { url: string; host: string; host_allowed: boolean; header: string | null; secret: string | null; secret_set: boolean } | null
}

/**
 * The pull connector as the steward must see it before approving: where it calls, what it sends,
 * and what is not in place — with the host allowed in one step when the steward decides so.
 */
function Outbound({ o, onAllow }: { o: Proposal['outbound']; onAllow?: (host: string) => void }) {
  const { t } = useLang()
  if (!o) return <>—</>
  return (
    <span className="outbound" data-outbound={o.host}>
      {t('calls')} <code>{o.url}</code>
      {o.header && o.secret ? (
        <>
          {' '}
          {t('sendsSecret')} <code>{o.header}</code> = «{o.secret}»
        </>
      ) : null}
      {!o.host_allowed && <span className="badge proposal-refused" data-problem="host"> {t('hostNotAllowed')}</span>}
      {!o.host_allowed && onAllow && (
        <button type="button" className="linkish" data-action="allow-host" onClick={() => onAllow(o.host)}>
          {t('allowHost')}
        </button>
      )}
      {o.secret && !o.secret_set && <span className="badge proposal-refused" data-problem="secret"> {t('secretMissing')}</span>}
    </span>
  )
}

const TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'period']
const IDENTIFIERS = ['', 'cccd', 'enterprise_code', 'commune_code']
const FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'on_change']
const blank = (): ColumnDraft => ({ id: '', label: '', type: 'string', required: false, identifier: '', enum: '', personal: false, rest: {} })

/** An existing column in the form. */
function draftOf(c: Entry['columns'][number]): ColumnDraft {
  const { id, label, type, required, identifier, enum: values, personal, ...rest } = c
  return { id, label, type, required, identifier: identifier ?? '', enum: (values ?? []).join(', '), personal, rest }
}

/**
 * Turns the form into a catalogue entry (the YAML schema); the server checks it as it checks files.
 * A change starts from the existing entry, so what the form does not show stays as it was.
 */
function entryOf(f: FormData, columns: ColumnDraft[], owner: string, base: Entry | null) {
  const list = (name: string) =>
    String(f.get(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  const changedOn = String(f.get('changed_on') ?? '').trim()
  return {
    ...(base ?? { format_standard: 'CSV UTF-8 hoặc XLSX theo mẫu của kho', formats: ['csv', 'xlsx'] }),
    id: base?.id ?? f.get('id'),
    name: f.get('name'),
    owner,
    description: f.get('description'),
    personal_data: columns.some((c) => c.personal),
    sharing: { ...(base?.sharing ?? { method: 'file' }), scope: f.get('scope'), consumers: f.getAll('consumers').map(String) },
    protection: f.get('protection'),
    update_frequency: f.get('update_frequency'),
    natural_key: list('natural_key'),
    // A daily, weekly or on-change dataset is due a number of working days after each record changes.
    changed_on: changedOn || null,
    columns: columns.map((c) => ({
      ...c.rest,
      id: c.id,
      label: c.label,
      type: c.type,
      required: c.required,
      identifier: c.identifier || null,
      enum: c.enum.trim() ? c.enum.split(',').map((s) => s.trim()).filter(Boolean) : null,
      personal: c.personal,
    })),
  }
}

/** An officer proposes a dataset of its agency; a steward approves or refuses proposals. */
export function DatasetProposals() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const agencies = useAsync(() => agencyMap(), [])
  const { account } = useAuth()
  const [columns, setColumns] = useState<ColumnDraft[]>([blank()])
  // The agency's existing dataset being changed, or null for a new one.
  const [base, setBase] = useState<Entry | null>(null)
  const own = useAsync(
    async () => (account?.role === 'agency_officer' ? (await api<{ id: string; name: string; name_en: string | null; owner: string }[]>('/api/catalog/datasets')).filter((d) => d.owner === account.agency) : []),
    [account],
  )
  const startFrom = async (id: string) => {
    const entry = id ? await api<Entry>(`/api/catalog/datasets/${id}`) : null
    setBase(entry)
    setColumns(entry ? entry.columns.map(draftOf) : [blank()])
  }
  const [notes, setNotes] = useState<Record<string, string>>({})
  const proposals = useAsync(() => api<Proposal[]>('/api/catalog/proposals'), [])
  const steward = account?.role === 'steward' || account?.role === 'admin'
  const officer = account?.role === 'agency_officer'
  const set = (i: number, change: Partial<ColumnDraft>) => setColumns(columns.map((c, j) => (j === i ? { ...c, ...change } : c)))
  // Re-read before the feedback is shown, so the row says what was decided as the message appears.
  const attempted = useAttempt(() => proposals.reload())
  const { setError, attempt } = attempted
  // The proposal being read (dataset/version), shown whole below the list.
  const [reading, setReading] = useState<string | null>(null)
  const keyOf = (p: Proposal) => `${p.dataset}/${p.version}`
  const propose = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    void attempt(() => api('/api/catalog/proposals', { body: { entry: entryOf(f, columns, account!.agency, base), note: f.get('note') } }), 'propose', t('doneProposalSent'))
  }
  // The reason kept with the host: whose connector it was allowed for.
  const allowHost = (p: Proposal, host: string) =>
    attempt(
      () => api(`/api/admin/pull-hosts/${encodeURIComponent(host)}`, { method: 'PUT', body: { note: `${lang === 'vi' ? p.entry.name : (p.entry.name_en ?? p.entry.name)} (${names.agency(p.entry.owner)})` } }),
      `${keyOf(p)}:host`,
      t('doneHostAllowed'),
    )
  const decide = (p: Proposal, approve: boolean) =>
    attempt(
      async () => {
        await api(`/api/catalog/proposals/${p.dataset}/${p.version}/decision`, { body: { approve, note: notes[keyOf(p)] ?? '' } })
        setReading(null)
      },
      `${keyOf(p)}:${approve ? 'approve' : 'refuse'}`,
      `${lang === 'vi' ? p.entry.name : (p.entry.name_en ?? p.entry.name)}: ${t(approve ? 'doneProposalApproved' : 'doneProposalRefused')}`,
    )
  const busy = attempted.busy !== null
  /** The note and the two decisions, in the row and under the proposal being read. */
  const decision = (p: Proposal) => (
    <span className="actions">
      <input aria-label={t('note')} placeholder={t('note')} value={notes[keyOf(p)] ?? ''} onChange={(e) => setNotes({ ...notes, [keyOf(p)]: e.target.value })} />
      <button type="button" data-action="approve" disabled={busy} onClick={() => void decide(p, true)}>
        {attempted.busy === `${keyOf(p)}:approve` ? t('working') : t('approve')}
      </button>
      <button type="button" data-action="refuse" disabled={busy} onClick={() => void decide(p, false)}>
        {attempted.busy === `${keyOf(p)}:refuse` ? t('working') : t('refuse')}
      </button>
    </span>
  )
  return (
    <>
      {officer && (
        <section className="panel">
          <h2>{t('proposeDataset')}</h2>
          <label>
            {t('changeExisting')}{' '}
            <select data-testid="change-existing" value={base?.id ?? ''} onChange={(e) => void startFrom(e.target.value).catch(setError)}>
              <option value="">{t('newDataset')}</option>
              {(own.state === 'ready' ? own.data : []).map((d) => (
                <option key={d.id} value={d.id}>
                  {lang === 'vi' ? d.name : (d.name_en ?? d.name)}
                </option>
              ))}
            </select>
          </label>
          {/* Keyed by the entry, so its values fill the form afresh. */}
          <form key={base?.id ?? 'new'} className="form-grid" onSubmit={propose} data-testid="proposal-form">
            <label>
              {t('code')}
              <input name="id" required pattern="[a-z][a-z0-9_]*" placeholder={t('codeHint')} title={t('codeHint')} defaultValue={base?.id ?? ''} readOnly={!!base} />
            </label>
            <label>
              {t('dataset')}
              <input name="name" required defaultValue={base?.name ?? ''} />
            </label>
            <label>
              {t('description')}
              <input name="description" required defaultValue={base?.description ?? ''} />
            </label>
            <label>
              {t('scope')}
              <select name="scope" defaultValue={base?.sharing.scope ?? 'dung_chung'}>
                <option value="noi_bo">{t('scopeInternal')}</option>
                <option value="dung_chung">{t('scopeShared')}</option>
                <option value="mo">{t('scopeOpen')}</option>
              </select>
            </label>
            <label>
              {t('protection')}
              <select name="protection" defaultValue={String(base?.protection ?? 'thong_thuong')}>
                {(['thong_thuong', 'quan_trong', 'cot_loi'] as const).map((p) => (
                  <option key={p} value={p}>
                    {fmt.status(`protection.${p}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('consumers')}
              <select name="consumers" multiple defaultValue={base?.sharing.consumers ?? []} size={4}>
                {(agencies.state === 'ready' ? [...agencies.data.values()] : [])
                  .filter((a) => a.code !== account?.agency)
                  .map((a) => (
                    <option key={a.code} value={a.code}>
                      {a.name}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              {t('frequency')}
              <select name="update_frequency" defaultValue={base?.update_frequency ?? 'monthly'}>
                {FREQUENCIES.map((x) => (
                  <option key={x} value={x}>
                    {fmt.status(`frequency.${x}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('naturalKey')}
              <input name="natural_key" required placeholder={t('naturalKeyHint')} defaultValue={base?.natural_key.join(', ') ?? ''} />
            </label>
            <label>
              {t('changedOn')}
              <input name="changed_on" placeholder={t('changedOnHint')} defaultValue={base?.changed_on ?? ''} />
            </label>
            <fieldset>
              <legend>{t('columns')}</legend>
              {columns.map((c, i) => (
                <div key={i} className="form-row" data-column={i}>
                  <input aria-label={t('code')} placeholder={t('code')} value={c.id} required onChange={(e) => set(i, { id: e.target.value })} />
                  <input aria-label={t('label')} placeholder={t('label')} value={c.label} required onChange={(e) => set(i, { label: e.target.value })} />
                  <select aria-label={t('type')} value={c.type} onChange={(e) => set(i, { type: e.target.value })}>
                    {TYPES.map((x) => (
                      <option key={x} value={x}>
                        {fmt.status(`columnType.${x}`)}
                      </option>
                    ))}
                  </select>
                  <select aria-label={t('identifier')} value={c.identifier} onChange={(e) => set(i, { identifier: e.target.value })}>
                    {IDENTIFIERS.map((x) => (
                      <option key={x} value={x}>
                        {x ? fmt.status(`identifier.${x}`) : '—'}
                      </option>
                    ))}
                  </select>
                  <input aria-label={t('enumValues')} placeholder={t('enumValues')} value={c.enum} onChange={(e) => set(i, { enum: e.target.value })} />
                  <label className="inline">
                    <input type="checkbox" checked={c.required} onChange={(e) => set(i, { required: e.target.checked })} /> {t('required')}
                  </label>
                  <label className="inline">
                    <input type="checkbox" checked={c.personal} onChange={(e) => set(i, { personal: e.target.checked })} /> {t('personalData')}
                  </label>
                </div>
              ))}
              <button type="button" data-testid="add-column" onClick={() => setColumns([...columns, blank()])}>
                + {t('columns')}
              </button>
            </fieldset>
            <label>
              {t('note')}
              <input name="note" />
            </label>
            <button type="submit">{t('send')}</button>
          </form>
        </section>
      )}
      <section className="panel">
        <h2>{t('proposals')}</h2>
        <Show value={proposals} empty={(d) => d.length === 0} say={t('emptyProposals')}>
          {(rows) => (
            <DataTable<Proposal>
              testId="proposals"
              rows={rows}
              columns={[
                { key: 'dataset', header: t('code'), as: 'code' },
                { key: 'name', header: t('dataset'), value: (p) => (lang === 'vi' ? p.entry.name : (p.entry.name_en ?? p.entry.name)) },
                { key: 'version', header: t('version'), numeric: true },
                { key: 'agency', header: t('agency'), value: (p) => names.agency(p.agency), as: 'name' },
                { key: 'proposed_by', header: t('requester'), as: 'code' },
                { key: 'created_at', header: t('at'), cell: (p) => fmt.date(p.created_at) },
                { key: 'status', header: t('status'), cell: (p) => <span className={`badge proposal-${p.status}`} data-status={p.status}>{fmt.status(`proposal.${p.status}`)}</span> },
                // Officers' and stewards' own words, shown as they wrote them.
                { key: 'note', header: t('note'), as: 'name' },
                { key: 'outbound', header: t('pullConnector'), value: (p) => p.outbound?.url ?? '', cell: (p) => <Outbound o={p.outbound} {...(steward && p.status === 'proposed' ? { onAllow: (host: string) => void allowHost(p, host) } : {})} /> },
                {
                  key: 'decide',
                  header: t('decision'),
                  value: () => '',
                  cell: (p) => (
                    <span className="actions">
                      <button type="button" data-action="read" aria-pressed={reading === keyOf(p)} onClick={() => setReading(reading === keyOf(p) ? null : keyOf(p))}>
                        {t('readProposal')}
                      </button>
                      {steward && p.status === 'proposed' && reading !== keyOf(p) ? decision(p) : null}
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Show>
        <Feedback of={attempted} />
        {proposals.state === 'ready' &&
          proposals.data
            .filter((p) => keyOf(p) === reading)
            .map((p) => <ProposalReader key={keyOf(p)} entry={p.entry} actions={steward && p.status === 'proposed' ? decision(p) : null} />)}
      </section>
    </>
  )
}
