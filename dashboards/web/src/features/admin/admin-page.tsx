import { useAuth } from '../../auth.tsx'
import { useLang } from '../../i18n.ts'
import { AccountsPanel } from './components/accounts-panel.tsx'
import { AuditPanel } from './components/audit-panel.tsx'
import { JobsPanel } from './components/jobs-panel.tsx'
import { ReviewPanel } from './components/review-panel.tsx'
import { SystemsPanel } from './components/systems-panel.tsx'
import { RegisterPanel } from './components/register-panel.tsx'
import { MapPanel } from './components/map-panel.tsx'
import { OpenDataPanel } from './components/open-data-panel.tsx'
import { PullConnectionsPanel } from './components/pull-connections-panel.tsx'
import { AskSynonymsPanel } from './components/ask-synonyms-panel.tsx'

/** Administration: accounts and their review, consuming systems, pull connectors, how questions name indicators, the sharing log, scheduled jobs, the commune map. */
export default function Admin() {
  const { t } = useLang()
  const { account } = useAuth()
  const isAdmin = account?.role === 'admin'
  return (
    <div>
      <div className="toolbar">
        <h1>{t('admin')}</h1>
      </div>
      <AccountsPanel canEdit={isAdmin} />
      <ReviewPanel />
      <SystemsPanel />
      <RegisterPanel />
      <PullConnectionsPanel />
      <AskSynonymsPanel />
      <AuditPanel />
      <OpenDataPanel />
      <JobsPanel canRun={isAdmin} />
      <MapPanel />
    </div>
  )
}
