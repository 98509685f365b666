import type { GrantLevel, ShareableDataset, SharingFrequency, SharingMethod } from '../../../../../infra/contracts/sharing.ts'
import type { Key } from '../../i18n.ts'

/** A dataset's name in the reader's language. */
export const datasetTitle = (d: Pick<ShareableDataset, 'name' | 'name_en'> | undefined, lang: 'vi' | 'en', id = '') => (d ? (lang === 'vi' ? d.name : d.name_en) : id)

/** The words for a request's level, method and frequency (the API's codes). */
export const LEVEL_WORDS: Record<GrantLevel, Key> = { view: 'levelView', use: 'levelUse' }
export const METHOD_WORDS: Record<SharingMethod, Key> = { query: 'methodQuery', export: 'methodExport', feed: 'methodFeed' }
export const FREQUENCY_WORDS: Record<SharingFrequency, Key> = {
  as_needed: 'freqAsNeeded',
  once: 'freqOnce',
  daily: 'freqDaily',
  weekly: 'freqWeekly',
  monthly: 'freqMonthly',
  quarterly: 'freqQuarterly',
  on_change: 'freqOnChange',
}

/** Sends a letter for a request (the written request, a side's approval, a commitment); its attachment id. */
export async function sendLetter(api: <T>(path: string, init: { form: FormData }) => Promise<T>, id: string, kind: 'request' | 'owner' | 'operator' | 'commitment', file: File): Promise<string> {
  const form = new FormData()
  form.set('file', file, file.name)
  return (await api<{ id: string }>(`/api/sharing/requests/${id}/letters?kind=${kind}`, { form })).id
}
