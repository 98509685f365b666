import { useState } from 'react'
import type { SavedQuestion } from '../../../../../../infra/contracts/saved-question.ts'
import { api } from '../../../api.ts'
import { useLang } from '../../../i18n.ts'

/**
 * The account's saved questions: each with its title and what it answers, pinned to the account's
 * board or not; saving the question on screen under a title (the same title replaces it).
 */
export function SavedQuestions({ list, onList, onOpen, current, canSave }: { list: SavedQuestion[]; onList: (list: SavedQuestion[]) => void; onOpen: (s: SavedQuestion) => void; current: () => Pick<SavedQuestion, 'query' | 'ui'>; canSave: boolean }) {
  const { t, lang } = useLang()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [pinned, setPinned] = useState(false)
  const save = async () => {
    if (!name.trim()) return
    onList(await api<SavedQuestion[]>('/api/saved-queries', { body: { name: name.trim(), description: description.trim(), pinned, ...current() } }))
    setName('')
    setDescription('')
  }
  const repin = async (s: SavedQuestion) => onList(await api<SavedQuestion[]>('/api/saved-queries', { body: { name: s.name, description: s.description, pinned: !s.pinned, query: s.query, ui: s.ui } }))
  const remove = async (n: string) => onList(await api<SavedQuestion[]>(`/api/saved-queries/${encodeURIComponent(n)}`, { method: 'DELETE' }))
  return (
    <fieldset>
      <legend>{t('savedQueries')}</legend>
      {list.map((s) => (
        <div key={s.name} className="form-row saved-question">
          <button type="button" className="linkish" onClick={() => onOpen(s)} title={s.description || undefined}>
            {s.name}
          </button>
          <button type="button" aria-pressed={s.pinned} onClick={() => void repin(s)} aria-label={`${s.pinned ? (lang === 'vi' ? 'Bỏ ghim' : 'Unpin') : lang === 'vi' ? 'Ghim vào bảng của tôi' : 'Pin to my board'}: ${s.name}`}>
            {s.pinned ? '★' : '☆'}
          </button>
          <button type="button" onClick={() => void remove(s.name)} aria-label={`${t('delete')} ${s.name}`}>
            ×
          </button>
          {s.description && <p className="muted">{s.description}</p>}
        </div>
      ))}
      <div className="form-row">
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('queryName')} aria-label={t('queryName')} />
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} placeholder={lang === 'vi' ? 'Câu hỏi này trả lời điều gì (không bắt buộc)' : 'What this question answers (optional)'} aria-label={lang === 'vi' ? 'Mô tả' : 'Description'} rows={2} />
        <label>
          <span>
            <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} /> {lang === 'vi' ? 'Ghim vào bảng của tôi' : 'Pin to my board'}
          </span>
        </label>
        <button type="button" onClick={() => void save()} disabled={!canSave || !name.trim()} data-testid="save-query">
          {t('save')}
        </button>
      </div>
    </fieldset>
  )
}
