import { fetchDocument } from '../../api.ts'

/** Today's digest (overdue, due soon, late yesterday) as the page agencies receive, in a new tab. */
export async function openDigest(agency: string, lang: 'vi' | 'en') {
  const res = await fetchDocument(`/api/submissions/digest?format=html&lang=${lang}${agency ? `&agency=${encodeURIComponent(agency)}` : ''}`)
  const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/html' }))
  window.open(url, '_blank', 'noopener')
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
