import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { ApiError } from '../api.ts'
import { useLang } from '../i18n.ts'

export type Async<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T }

/**
 * A change the user asked for (approve, save, revoke…), the one feedback pattern of every page:
 * which action is in flight (`busy`, its buttons disabled), what was done (`done`, a sentence), or
 * why it failed (`error`, shown in place); `after` (a reload of what it changed) runs once it succeeded.
 */
export function useAttempt(after: () => unknown) {
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const attempt = async (work: () => Promise<unknown>, what = 'action', doneText: string | null = null) => {
    setBusy(what)
    setDone(null)
    try {
      await work()
      setError(null)
      await after()
      setDone(doneText)
    } catch (err) {
      setError(err as Error)
    } finally {
      setBusy(null)
    }
  }
  return { error, setError, busy, done, attempt }
}

/** What an attempt says: working on it, done, or the reason it failed. */
export function Feedback({ of }: { of: Pick<ReturnType<typeof useAttempt>, 'busy' | 'done' | 'error'> }) {
  const { t } = useLang()
  if (of.busy) {
    return (
      <p className="state busy" role="status" aria-live="polite">
        {t('working')}
      </p>
    )
  }
  if (of.error) return <ErrorBox error={of.error} />
  if (of.done) {
    return (
      <p className="state ok" role="status" aria-live="polite">
        {of.done}
      </p>
    )
  }
  return null
}

/**
 * Runs `load` when its dependencies change; a newer call wins over an older one still in flight.
 * `reload()` loads again and resolves once the new value is shown, so an action's "done" appears
 * with the list already saying what was done.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> & { reload: () => Promise<void> } {
  const [value, setValue] = useState<Async<T>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  const waiting = useRef<(() => void)[]>([])
  useEffect(() => {
    const mine = ++seq.current
    setValue((v) => (v.state === 'ready' ? v : { state: 'loading' }))
    const settle = (next: Async<T>) => {
      if (mine !== seq.current) return
      setValue(next)
      for (const done of waiting.current.splice(0)) done()
    }
    load().then(
      (data) => settle({ state: 'ready', data }),
      (error: Error) => settle({ state: 'error', error }),
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(
    () =>
      new Promise<void>((done) => {
        waiting.current.push(done)
        setTick((t) => t + 1)
      }),
    [],
  )
  return { ...value, reload }
}

export function Loading() {
  const { t } = useLang()
  return (
    <div className="state loading" role="status" aria-live="polite">
      {t('loading')}
    </div>
  )
}

/** An empty list: what is missing and, where there is one, what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const { t, lang } = useLang()
  const message = error instanceof ApiError ? (lang === 'vi' ? error.vi : error.en) : error.message
  return (
    <div className="state error" role="alert">
      <strong>{t('error')}:</strong> {message}
      {retry && (
        <button type="button" onClick={retry}>
          {t('retry')}
        </button>
      )}
    </div>
  )
}

/** Shows loading, error or the content for an async value; an empty value says what is missing (`say`). */
export function Show<T>({ value, children, empty, say }: { value: Async<T> & { reload?: () => void }; children: (data: T) => ReactNode } & ({ empty?: undefined; say?: undefined } | { empty: (data: T) => boolean; say: ReactNode })) {
  if (value.state === 'loading') return <Loading />
  if (value.state === 'error') return <ErrorBox error={value.error} retry={value.reload} />
  if (empty?.(value.data)) return <Empty>{say}</Empty>
  return <>{children(value.data)}</>
}
