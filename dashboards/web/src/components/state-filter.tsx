import type { ReactNode } from 'react'

/** Toggle buttons choosing which of a list's states to show (open, closed, all…); extra controls after them. */
export function StateFilter<S extends string>({ label, states, value, onChange, children }: { label: string; states: [S, string][]; value: S; onChange: (s: S) => void; children?: ReactNode }) {
  return (
    <div className="form-row" role="group" aria-label={label}>
      {states.map(([s, text]) => (
        <button key={s} type="button" aria-pressed={value === s} onClick={() => onChange(s)}>
          {text}
        </button>
      ))}
      {children}
    </div>
  )
}
