import { useState, type ChangeEvent } from 'react'
import { api, download, type ApiError } from '../api.ts'
import { useLang } from '../i18n.ts'
import { ErrorBox, Show, useAsync } from './async.tsx'
import { DataTable } from './data-table.tsx'

/** An attachment as the API lists it (loaders/attachments.ts). */
interface Attachment {
  id: string
  name: string
  media_type: string
  size: number
  uploaded_by: string
  uploaded_at: string
}

/**
 * The documents attached to a delivery or a catalogue entry: listed, downloaded through the API
 * (access-checked and logged), and — for those who may — attached from the browser.
 */
export function Attachments({ path, canUpload, testId }: { path: string; canUpload: boolean; testId: string }) {
  const { t, fmt } = useLang()
  const [error, setError] = useState<Error | null>(null)
  const list = useAsync(() => api<Attachment[]>(path), [path])
  const attach = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    if (!file) return
    const form = new FormData()
    form.set('file', file, file.name)
    try {
      await api(path, { form })
      setError(null)
      list.reload()
    } catch (err) {
      setError(err as ApiError)
    }
    e.target.value = ''
  }
  return (
    <div data-testid={testId}>
      <h3>{t('attachments')}</h3>
      <Show value={list} empty={(d) => d.length === 0} say={t('emptyAttachments')}>
        {(rows) => (
          <DataTable<Attachment>
            rows={rows}
            pageSize={10}
            columns={[
              {
                key: 'name',
                header: t('file'),
                cell: (a) => (
                  <button type="button" className="linkish" onClick={() => void download(`/api/attachments/${a.id}`, a.name).catch(setError)}>
                    {a.name}
                  </button>
                ),
              },
              { key: 'media_type', header: t('type') },
              { key: 'size', header: 'KB', numeric: true, value: (a) => Math.ceil(a.size / 1024) },
              { key: 'uploaded_by', header: t('requester') },
              { key: 'uploaded_at', header: t('at'), cell: (a) => fmt.date(a.uploaded_at) },
            ]}
          />
        )}
      </Show>
      {canUpload && (
        <label>
          {t('attach')} <input type="file" aria-label={t('attach')} onChange={(e) => void attach(e)} />
        </label>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  )
}
