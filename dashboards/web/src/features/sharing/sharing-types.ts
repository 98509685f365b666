import type { ShareableDataset } from '../../../../../infra/contracts/sharing.ts'

/** A dataset's name in the reader's language. */
export const datasetTitle = (d: Pick<ShareableDataset, 'name' | 'name_en'> | undefined, lang: 'vi' | 'en', id = '') => (d ? (lang === 'vi' ? d.name : d.name_en) : id)
