import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { useNames } from '../../../catalog-data.ts'

interface RegisteredSystem {
  id: string
  name: string
  agency: string
  direction: 'supplies' | 'consumes'
  channel: string
  datasets: string[]
  last_success: string | null
  active: boolean
}

/** The register of connected systems: who supplies and who consumes, through what, and when last. */
export function RegisterPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const register = useAsync(() => api<RegisteredSystem[]>('/api/admin/system-register'), [])
  return (
    <section className="panel">
      <h2>{t('systemRegister')}</h2>
      <Show value={register} empty={(d) => d.length === 0} say={t('emptyRegister')}>
        {(rows) => (
          <DataTable<RegisteredSystem>
            testId="system-register"
            rows={rows}
            columns={[
              { key: 'name', header: t('displayName'), as: 'name' },
              { key: 'agency', header: t('agency'), value: (s) => names.agency(s.agency), as: 'name' },
              { key: 'direction', header: t('direction'), value: (s) => t(s.direction === 'supplies' ? 'supplies' : 'consumes') },
              { key: 'channel', header: t('method'), value: (s) => fmt.status(`channel.${s.channel}`) },
              { key: 'datasets', header: t('datasets'), value: (s) => names.datasets(s.datasets) },
              { key: 'last_success', header: t('lastExchange'), cell: (s) => fmt.date(s.last_success) },
              { key: 'active', header: t('status'), value: (s) => (s.active ? '✓' : '—') },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
