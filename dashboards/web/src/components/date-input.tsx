import { useEffect, useState } from 'react'
import { useLang } from '../i18n.ts'

/** "2026-11-05" → "05/11/2026"; anything else → ''. */
const toText = (iso: string | undefined) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '')
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ''
}

/** "5/11/2026" or "05/11/2026" → "2026-11-05" when that day exists; otherwise null. */
export function parseDayText(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text)
  if (!m) return null
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}

interface Props {
  /** ISO yyyy-mm-dd, controlled; or defaultValue for a form read with FormData. */
  value?: string
  defaultValue?: string
  onChange?: (iso: string) => void
  /** The form field carrying the ISO day (a hidden input), as a date input's would. */
  name?: string
  required?: boolean
  'aria-label'?: string
}

/**
 * A day typed as dd/mm/yyyy whatever the browser's locale (a native date input shows mm/dd/yyyy in
 * an English browser), handed on as ISO yyyy-mm-dd. A day that does not exist (31/02) is refused
 * with a message in the reader's language.
 */
export function DateInput({ value, defaultValue, onChange, name, required, 'aria-label': label }: Props) {
  const { lang } = useLang()
  const [text, setText] = useState(toText(value ?? defaultValue))
  useEffect(() => {
    if (value !== undefined && parseDayText(text) !== value) setText(toText(value))
    // Only an outside change of the value re-writes the text being typed.
  }, [value])
  const iso = parseDayText(text)
  const invalid = text.trim() !== '' && iso === null
  return (
    <>
      <input
        type="text"
        inputMode="numeric"
        placeholder="dd/mm/yyyy"
        value={text}
        required={required}
        aria-label={label}
        aria-invalid={invalid || undefined}
        pattern="\s*\d{1,2}/\d{1,2}/\d{4}\s*"
        title={lang === 'vi' ? 'Ngày dạng dd/mm/yyyy, ví dụ 05/11/2026' : 'A day as dd/mm/yyyy, e.g. 05/11/2026'}
        size={11}
        onChange={(e) => {
          setText(e.target.value)
          const next = parseDayText(e.target.value)
          e.target.setCustomValidity(e.target.value.trim() !== '' && next === null ? (lang === 'vi' ? 'Ngày không có thật hoặc không theo dạng dd/mm/yyyy' : 'Not a real day as dd/mm/yyyy') : '')
          if (next !== null || e.target.value.trim() === '') onChange?.(next ?? '')
        }}
      />
      {name && <input type="hidden" name={name} value={iso ?? ''} />}
    </>
  )
}
