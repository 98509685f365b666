/** A catalogue entry as far as a steward reads it before deciding (the YAML schema's fields). */
export interface EntryColumn {
  id: string
  label: string
  type: string
  required: boolean
  identifier: string | null
  enum: string[] | null
  /** The labels people write for an enumeration's codes. */
  enum_labels?: { value: string; label: string; label_en?: string }[]
  personal: boolean
}
export interface ReadEntry {
  id: string
  name: string
  owner: string
  description: string
  update_frequency: string
  natural_key: string[]
  changed_on: string | null
  personal_data?: boolean
  sharing: { scope: string; method: string; consumers: string[] }
  columns: EntryColumn[]
  [field: string]: unknown
}

/** What a proposal changes in an entry: whole fields, and columns added, removed or changed (which of their fields). */
export interface EntryDiff {
  fields: { field: string; before: unknown; after: unknown }[]
  added: string[]
  removed: string[]
  changed: { id: string; fields: (keyof EntryColumn)[] }[]
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
const FIELDS = ['name', 'name_en', 'description', 'update_frequency', 'deadline', 'natural_key', 'changed_on', 'personal_data', 'sharing', 'formats', 'reject_threshold', 'pull', 'computes'] as const
const COLUMN_FIELDS: (keyof EntryColumn)[] = ['label', 'type', 'required', 'identifier', 'enum', 'personal']

/** The difference between the entry in force and the one proposed; null when the dataset is new. */
export function entryDiff(current: ReadEntry | null, proposed: ReadEntry): EntryDiff | null {
  if (!current) return null
  const fields = FIELDS.filter((f) => !same(current[f], proposed[f])).map((field) => ({ field, before: current[field], after: proposed[field] }))
  const before = new Map(current.columns.map((c) => [c.id, c]))
  const after = new Map(proposed.columns.map((c) => [c.id, c]))
  return {
    fields,
    added: proposed.columns.filter((c) => !before.has(c.id)).map((c) => c.id),
    removed: current.columns.filter((c) => !after.has(c.id)).map((c) => c.id),
    changed: proposed.columns
      .filter((c) => before.has(c.id))
      .map((c) => ({ id: c.id, fields: COLUMN_FIELDS.filter((f) => !same(before.get(c.id)![f], c[f])) }))
      .filter((c) => c.fields.length > 0),
  }
}
