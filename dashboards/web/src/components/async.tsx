import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { ApiError } from '../api.ts'
import { useLang } from '../i18n.ts'

export type Async<T> = { state: 'loading' } | { state: 'error'; error: Error } | { state: 'ready'; data: T }

/**
 * A change the user asked for (approve, save, revoke…): its error kept to show in place, and
 * `done` (a reload of what it changed) run once it succeeded.
 */
export function useAttempt(done: () => void) {
  const [error, setError] = useState<Error | null>(null)
  const attempt = async (work: () => Promise<unknown>) => {
    try {
      await work()
      setError(null)
      done()
    } catch (err) {
      setError(err as Error)
    }
  }
  return { error, setError, attempt }
}

/** Runs `load` when its dependencies change; a newer call wins over an older one still in flight. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> & { reload: () => void } {
  const [value, setValue] = useState<Async<T>>({ state: 'loading' })
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  useEffect(() => {
    const mine = ++seq.current
    setValue((v) => (v.state === 'ready' ? v : { state: 'loading' }))
    load().then(
      (data) => mine === seq.current && setValue({ state: 'ready', data }),
      (error: Error) => mine === seq.current && setValue({ state: 'error', error }),
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
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

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useLang()
  return <div className="state empty">{children ?? t('empty')}</div>
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

/** Shows loading, error or the content for an async value. */
export function Show<T>({ value, children, empty }: { value: Async<T> & { reload?: () => void }; children: (data: T) => ReactNode; empty?: (data: T) => boolean }) {
  if (value.state === 'loading') return <Loading />
  if (value.state === 'error') return <ErrorBox error={value.error} retry={value.reload} />
  if (empty?.(value.data)) return <Empty />
  return <>{children(value.data)}</>
}
