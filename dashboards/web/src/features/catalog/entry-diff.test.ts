import { describe, expect, it } from 'vitest'
import { entryDiff, type ReadEntry } from './entry-diff.ts'

const entry: ReadEntry = {
  id: 'truong_hoc',
  name: 'Trường học',
  owner: 'SO_GDDT',
  description: 'Danh sách trường',
  update_frequency: 'yearly',
  natural_key: ['ma_truong'],
  changed_on: null,
  sharing: { scope: 'mo', method: 'file', consumers: [] },
  columns: [
    { id: 'ma_truong', label: 'Mã trường', type: 'string', required: true, identifier: null, enum: null, personal: false },
    { id: 'so_hoc_sinh', label: 'Số học sinh', type: 'integer', required: false, identifier: null, enum: null, personal: false },
  ],
}

describe('what a proposal changes', () => {
  it('is nothing to compare for a new dataset', () => {
    expect(entryDiff(null, entry)).toBeNull()
  })
  it('names the fields and columns a change touches, and only those', () => {
    const proposed: ReadEntry = {
      ...entry,
      name: 'Trường học các cấp',
      sharing: { ...entry.sharing, consumers: ['SO_YT'] },
      columns: [{ ...entry.columns[0]!, label: 'Mã số trường' }, { id: 'cap_hoc', label: 'Cấp học', type: 'string', required: false, identifier: null, enum: ['mn', 'th'], personal: false }],
    }
    expect(entryDiff(entry, proposed)).toEqual({
      fields: [
        { field: 'name', before: 'Trường học', after: 'Trường học các cấp' },
        { field: 'sharing', before: entry.sharing, after: proposed.sharing },
      ],
      added: ['cap_hoc'],
      removed: ['so_hoc_sinh'],
      changed: [{ id: 'ma_truong', fields: ['label'] }],
    })
    expect(entryDiff(entry, { ...entry })).toEqual({ fields: [], added: [], removed: [], changed: [] })
  })
})
