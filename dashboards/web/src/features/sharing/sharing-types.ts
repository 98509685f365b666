import type { LetterKind, ShareableDataset } from '../../../../../infra/contracts/sharing.ts'
import { api } from '../../api.ts'

/** A dataset's name in the reader's language. */
export const datasetTitle = (d: Pick<ShareableDataset, 'name' | 'name_en'> | undefined, lang: 'vi' | 'en', id = '') => (d ? (lang === 'vi' ? d.name : d.name_en) : id)

/** Sends a letter for a request (the written request, a side's approval, a commitment); its attachment id. */
export async function sendLetter(id: string, kind: LetterKind, file: File): Promise<string> {
  const form = new FormData()
  form.set('file', file, file.name)
  return (await api<{ id: string }>(`/api/sharing/requests/${id}/letters?kind=${kind}`, { form })).id
}
