import { useLang } from '../../../i18n.ts'
import { Link } from '../../../router.tsx'
import type { AgencyInfo } from '../portal-types.ts'

/**
 * The portal of a unit the catalogue gives nothing to deliver (most communes): what that means,
 * where its own figures are, and whom to ask, instead of four empty panels and an upload form
 * with nothing to choose.
 */
export function NoObligations({ agency }: { agency: AgencyInfo }) {
  const { t } = useLang()
  const op = agency.operator
  const contact = op ? [op.contact.person, op.contact.email, op.contact.phone].filter(Boolean).join(' · ') : ''
  return (
    <section className="panel guidance" data-testid="no-obligations">
      <h2>{t('noObligationsTitle')}</h2>
      <p>{t('noObligationsWhy')}</p>
      <ul>
        <li>
          {t('noObligationsFigures')} <Link href="/explorer">{t('explorer')}</Link>.
        </li>
        <li>
          {t('noObligationsErrors')} <Link href="/reports">{t('errorReports')}</Link>.
        </li>
        <li>
          {t('noObligationsData')} <Link href="/sharing">{t('sharing')}</Link>.
        </li>
        {op && (
          <li data-testid="operator-contact">
            {t('noObligationsAsk')} <strong lang="vi">{op.name}</strong>
            {contact && (
              <>
                {' — '}
                <span lang="vi">{contact}</span>
              </>
            )}
            .
          </li>
        )}
      </ul>
    </section>
  )
}
