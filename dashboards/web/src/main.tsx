import { lazy, StrictMode, Suspense, useCallback, useEffect, useState, type FormEvent } from 'react'
import { createRoot } from 'react-dom/client'
import { api, ApiError, session } from './api.ts'
import type { SignedIn } from '../../../infra/contracts/session.ts'
import { awaitsCaller, type ListedRequest } from '../../../infra/contracts/sharing.ts'
import { AuthContext, PAGES_BY_ROLE, PATHS, useAuth, type Page } from './auth.tsx'
import { Loading, useAsync } from './components/async.tsx'
import { agencyMap } from './catalog-data.ts'
import { LangContext, useLang } from './i18n.ts'
import type { Lang } from './strings.ts'
import { Link, navigate, useLocation } from './router.tsx'
import './styles.css'

// Each page is its own chunk: the IOC overview does not carry the explorer's code.
const Overview = lazy(() => import('./features/overview/overview-page.tsx'))
const Wall = lazy(() => import('./features/overview/wall-page.tsx'))
const CommuneProfile = lazy(() => import('./features/overview/commune-profile-page.tsx'))
const Explorer = lazy(() => import('./features/explorer/explorer-page.tsx'))
const Portal = lazy(() => import('./features/portal/portal-page.tsx'))
const Quality = lazy(() => import('./features/quality/quality-page.tsx'))
const Catalog = lazy(() => import('./features/catalog/catalog-page.tsx'))
const Admin = lazy(() => import('./features/admin/admin-page.tsx'))
const Briefings = lazy(() => import('./features/briefings/briefings-page.tsx'))
const Sharing = lazy(() => import('./features/sharing/sharing-page.tsx'))
const Alerts = lazy(() => import('./features/alerts/alerts-page.tsx'))
const ErrorReports = lazy(() => import('./features/error-reports/error-reports-page.tsx'))

function Login() {
  const { t } = useLang()
  const { signIn } = useAuth()
  const [error, setError] = useState<ApiError | null>(null)
  // After a reset: the temporary sign-in's token and password, until a new password is chosen.
  const [reset, setReset] = useState<{ token: string; current: string } | null>(null)
  const { lang } = useLang()
  const failed = (err: unknown) => setError(err instanceof ApiError ? err : new ApiError(0, String(err), String(err)))
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    try {
      const { token, account } = await api<{ token: string; account: { must_change_password?: boolean } }>('/api/auth/login', { body: { username: form.get('username'), password: form.get('password') } })
      if (account.must_change_password) {
        setError(null)
        setReset({ token, current: String(form.get('password')) })
      } else await signIn(token)
    } catch (err) {
      failed(err)
    }
  }
  const change = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = new FormData(e.currentTarget)
    try {
      session.set(reset!.token)
      const { token } = await api<{ token: string }>('/api/auth/password', { body: { current: reset!.current, password: form.get('new_password') } })
      await signIn(token)
    } catch (err) {
      failed(err)
    }
  }
  const problem = error && (
    <p className="state error" role="alert">
      {lang === 'vi' ? error.vi : error.en}
    </p>
  )
  if (reset) {
    return (
      <main className="login">
        <form onSubmit={change} aria-labelledby="change-title">
          <h1 id="change-title">{t('changePassword')}</h1>
          <p>{t('mustChange')}</p>
          <label>
            {t('newPassword')}
            <input name="new_password" type="password" autoComplete="new-password" required minLength={10} autoFocus />
          </label>
          {problem}
          <button type="submit">{t('changePassword')}</button>
        </form>
      </main>
    )
  }
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('appName')}</h1>
        <label>
          {t('username')}
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {problem}
        <button type="submit">{t('login')}</button>
      </form>
    </main>
  )
}

/** How many sharing requests wait for the caller's decision: a count beside the page's name. */
function useWaitingRequests(shown: boolean, path: string) {
  const [tick, setTick] = useState(0)
  useEffect(() => {
    const again = () => setTick((x) => x + 1)
    window.addEventListener('kho:sharing-changed', again)
    return () => window.removeEventListener('kho:sharing-changed', again)
  }, [])
  const list = useAsync(() => (shown ? api<ListedRequest[]>('/api/sharing/requests') : Promise.resolve([])), [shown, path, tick])
  return list.state === 'ready' ? list.data.filter(awaitsCaller).length : 0
}

function Nav({ pages, path }: { pages: Page[]; path: string }) {
  const { t, fmt, lang, setLang } = useLang()
  const { account, signOut } = useAuth()
  const agencies = useAsync(() => agencyMap(), [])
  // On a phone the pages sit behind a menu button, closed again by the page it opens.
  const [open, setOpen] = useState(false)
  useEffect(() => setOpen(false), [path])
  const waiting = useWaitingRequests(pages.includes('sharing'), path)
  return (
    <header className="top">
      <strong className="brand">{t('appName')}</strong>
      <button type="button" className="menu" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>
        {lang === 'vi' ? '☰ Trang' : '☰ Pages'}
      </button>
      <nav aria-label="main" id="main-nav" data-open={open}>
        {pages.map((p) => (
          <Link key={p} href={PATHS[p]} aria-current={path === PATHS[p] ? 'page' : undefined}>
            {t(p)}
            {p === 'sharing' && waiting > 0 && (
              <span className="count" data-testid="sharing-waiting" title={t('toDecideSteward')}>
                {fmt.number(waiting, 0)}
              </span>
            )}
          </Link>
        ))}
      </nav>
      <span className="who">
        {account?.account} · {account ? fmt.status(`role.${account.role}`) : ''}
        {account?.agency ? (
          <>
            {' · '}
            <span lang="vi" title={account.agency}>
              {agencies.state === 'ready' ? (agencies.data.get(account.agency)?.name ?? account.agency) : account.agency}
            </span>
          </>
        ) : (
          ''
        )}
      </span>
      <button type="button" className="lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} aria-label="language">
        {lang === 'vi' ? 'EN' : 'VI'}
      </button>
      <button type="button" onClick={signOut} title={account ? `${account.account} · ${fmt.status(`role.${account.role}`)}` : undefined}>
        {t('logout')}
      </button>
    </header>
  )
}

function Routes() {
  const { account } = useAuth()
  const { path } = useLocation()
  if (!account) return <Login />
  const pages = PAGES_BY_ROLE[account.role]
  const kiosk = path === '/kiosk'
  // The wall and a commune's profile are the overview's, for whoever may see it.
  const profile = path === '/commune'
  const page = (Object.entries(PATHS).find(([, p]) => p === path)?.[0] as Page | undefined) ?? (kiosk || profile ? 'overview' : undefined)
  // A page the role does not have (or an unknown path) falls back to the role's first page.
  if (!page || !pages.includes(page)) {
    queueMicrotask(() => navigate(PATHS[pages[0]!], true))
    return <Loading />
  }
  const content = { overview: kiosk ? <Wall /> : profile ? <CommuneProfile /> : <Overview />, explorer: <Explorer />, portal: <Portal />, sharing: <Sharing />, quality: <Quality />, briefings: <Briefings />, catalog: <Catalog />, reports: <ErrorReports />, alerts: <Alerts />, admin: <Admin /> }[page]
  return (
    <div className={kiosk ? 'kiosk' : ''}>
      {!kiosk && <Nav pages={pages} path={path} />}
      <main className="page">
        <Suspense fallback={<Loading />}>{content}</Suspense>
      </main>
    </div>
  )
}

function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('kho.lang') === 'en' ? 'en' : 'vi'))
  const [account, setAccount] = useState<SignedIn | null>(null)
  const [checking, setChecking] = useState(Boolean(session.token()))
  const setLang = (l: Lang) => {
    localStorage.setItem('kho.lang', l)
    document.documentElement.lang = l
    setLangState(l)
  }
  const signIn = useCallback(async (token: string) => {
    session.set(token)
    setAccount(await api<SignedIn>('/api/auth/me'))
  }, [])
  const signOut = useCallback(() => {
    session.clear()
    setAccount(null)
    navigate('/', true)
  }, [])
  useEffect(() => {
    document.documentElement.lang = lang
    if (session.token()) {
      api<SignedIn>('/api/auth/me')
        .then(setAccount, () => session.clear())
        .finally(() => setChecking(false))
    }
    const out = () => setAccount(null)
    window.addEventListener('kho:signed-out', out)
    return () => window.removeEventListener('kho:signed-out', out)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <AuthContext.Provider value={{ account, signIn, signOut }}>{checking ? <Loading /> : <Routes />}</AuthContext.Provider>
    </LangContext.Provider>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
