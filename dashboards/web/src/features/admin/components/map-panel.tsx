import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../../../api.ts'
import { ErrorBox, Show, useAsync } from '../../../components/async.tsx'
import { useLang } from '../../../i18n.ts'

interface Report {
  ok: boolean
  features: number
  matched: number
  missing: { code: string; name: string }[]
  unknown: { feature: number; code: string; name: string }[]
  problems: { feature: number | null; vi: string; en: string }[]
}
interface MapInfo {
  map: { features: unknown[]; source: { name: string; illustrative: boolean; uploaded_at: string; uploaded_by: string } } | null
}

/** The commune boundaries behind the overview's map: which are in use, and a steward's upload with its report. */
export function MapPanel() {
  const { t, fmt, lang } = useLang()
  const [version, setVersion] = useState(0)
  const info = useAsync(() => api<MapInfo>('/api/map/communes'), [version])
  const [report, setReport] = useState<Report | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const upload = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    try {
      setReport(await api<Report>('/api/map/communes', { form: new FormData(e.currentTarget) }))
      setError(null)
      setVersion((v) => v + 1)
    } catch (err) {
      setError(err instanceof Error ? err : new ApiError(0, String(err), String(err)))
    }
  }
  return (
    <section className="panel" data-testid="map-panel">
      <h2>{t('communeMap')}</h2>
      <Show value={info}>
        {(d) =>
          d.map ? (
            <p data-testid="map-source">
              {t('mapSource')}: <span translate="no">{d.map.source.name}</span> · {d.map.features.length} {t('mapMatched').toLowerCase()} · {fmt.date(d.map.source.uploaded_at)}
              {d.map.source.illustrative ? ` · ${t('illustrativeMap')}` : ''}
            </p>
          ) : (
            <p className="state empty">{t('noMap')}</p>
          )
        }
      </Show>
      <form className="form-row" onSubmit={upload}>
        <label>
          {t('uploadMap')}
          <input type="file" name="file" required accept=".json,.geojson,.topojson,application/json,application/geo+json" />
        </label>
        <button type="submit">{t('send')}</button>
      </form>
      {error && <ErrorBox error={error} />}
      {report && (
        <div className={`state ${report.ok ? 'ok' : 'error'}`} role="status" data-testid="map-report" data-ok={report.ok}>
          <p>
            {t('mapMatched')}: <strong data-testid="map-matched">{report.matched}</strong> / {report.features}
          </p>
          {report.problems.length > 0 && (
            <ul>
              {report.problems.map((p, i) => (
                <li key={i}>{lang === 'vi' ? p.vi : p.en}</li>
              ))}
            </ul>
          )}
          {report.missing.length > 0 && (
            <details data-testid="map-missing">
              <summary>
                {t('mapMissing')}: {report.missing.length}
              </summary>
              <p>{report.missing.map((c) => `${c.name} (${c.code})`).join(', ')}</p>
            </details>
          )}
          {report.unknown.length > 0 && (
            <details data-testid="map-unknown" open>
              <summary>
                {t('mapUnknown')}: {report.unknown.length}
              </summary>
              <p translate="no">{report.unknown.map((u) => `#${u.feature}: ${u.code}${u.name ? ` (${u.name})` : ''}`).join(', ')}</p>
            </details>
          )}
        </div>
      )}
    </section>
  )
}
