import { api } from '../../../api.ts'
import { Show, useAsync } from '../../../components/async.tsx'
import { DataTable } from '../../../components/data-table.tsx'
import { useLang } from '../../../i18n.ts'
import { useNames } from '../../../catalog-data.ts'
import type { RegisteredSystem, RequiredSystemState as RequiredSystem } from '../../../../../../infra/contracts/system-register.ts'

const GROUP_WORDS = { quoc_gia: 'groupQuocGia', bo_nganh: 'groupBoNganh', tinh: 'groupTinh' } as const
const STATE_WORDS = { connected: 'stateConnected', registered: 'stateRegistered', manual: 'stateManual', not_connected: 'stateNotConnected' } as const

/** The register of connected systems: who supplies and who consumes, through what, and when last; and the systems that must connect, with how far each is. */
export function RegisterPanel() {
  const { t, fmt, lang } = useLang()
  const names = useNames(lang)
  const register = useAsync(() => api<RegisteredSystem[]>('/api/admin/system-register'), [])
  const required = useAsync(() => api<RequiredSystem[]>('/api/admin/system-register/required'), [])
  return (
    <section className="panel">
      <h2>{t('requiredSystems')}</h2>
      <Show value={required}>
        {(rows) => (
          <DataTable<RequiredSystem>
            testId="required-systems"
            rows={rows}
            columns={[
              { key: 'name', header: t('displayName'), value: (r) => (lang === 'en' && r.name_en ? r.name_en : r.name), as: 'name' },
              { key: 'group', header: t('requiredGroup'), value: (r) => t(GROUP_WORDS[r.group]) },
              { key: 'agency', header: t('agency'), value: (r) => names.agency(r.agency), as: 'name' },
              { key: 'direction', header: t('direction'), value: (r) => t(r.direction === 'supplies' ? 'supplies' : 'consumes') },
              { key: 'datasets', header: t('datasets'), value: (r) => names.datasets(r.datasets) },
              { key: 'state', header: t('connectionState'), value: (r) => `${t(STATE_WORDS[r.state])}${r.overdue ? ` · ${t('overdue')}` : ''}` },
              { key: 'due_on', header: t('connectBy'), cell: (r) => fmt.day(r.due_on ?? null) },
              { key: 'last_success', header: t('lastExchange'), cell: (r) => fmt.date(r.last_success) },
            ]}
          />
        )}
      </Show>
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
