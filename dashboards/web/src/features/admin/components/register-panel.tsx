import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'

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
  const { t, fmt } = useLang()
  const register = useAsync(() => api<RegisteredSystem[]>('/api/admin/system-register'), [])
  return (
    <section className="panel">
      <h2>{t('systemRegister')}</h2>
      <Show value={register} empty={(d) => d.length === 0}>
        {(rows) => (
          <DataTable<RegisteredSystem>
            testId="system-register"
            rows={rows}
            columns={[
              { key: 'name', header: t('displayName') },
              { key: 'agency', header: t('agency') },
              { key: 'direction', header: t('direction'), value: (s) => t(s.direction === 'supplies' ? 'supplies' : 'consumes') },
              { key: 'channel', header: t('method') },
              { key: 'datasets', header: t('datasets'), value: (s) => s.datasets.join(', ') },
              { key: 'last_success', header: t('lastExchange'), cell: (s) => fmt.date(s.last_success) },
              { key: 'active', header: t('status'), value: (s) => (s.active ? '✓' : '—') },
            ]}
          />
        )}
      </Show>
    </section>
  )
}
