/**
 * A dataset's guide for those who use it (Đắk Nông Điều 5.2): what `GET
 * /api/catalog/datasets/:id/guide` answers and the catalogue page shows. Generated from the entry at
 * each read — what it holds, who may use it and how to ask, its fields, how to read it (pages, API,
 * SQL, feeds), how to report an error — with the owner agency's own notes first when it wrote any.
 */
export interface GuideSection {
  heading: string
  paragraphs: string[]
  /** A table of the fields, where the section has one. */
  table?: { headers: string[]; rows: string[][] }
  /** Text to copy as it is (an API call, an SQL statement), each after the sentence saying what it is. */
  code?: { label: string; text: string }[]
}

export interface DatasetGuide {
  dataset: string
  title: string
  lang: 'vi' | 'en'
  /** The owner agency's notes, when it wrote any. */
  notes: { text: string; by: string; at: string } | null
  sections: GuideSection[]
  /** Whether the caller may edit the notes (the owner agency's officers, stewards). */
  editable: boolean
}

/** The longest notes an owner may write. */
export const GUIDE_NOTES_MAX = 20_000
