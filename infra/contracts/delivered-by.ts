import type { Lang } from './question-words.ts'

/**
 * Who delivered a load (meta.loads.delivered_by, written by the loaders as `kind:who`) in words: an
 * account (its display name when the caller knows it), the command line's user, a push key, a pull
 * source, the inbox, the demo. Pages and the briefings' workbooks say it the same way.
 */
export function deliveredByText(value: unknown, lang: Lang, accountName?: (username: string) => string | undefined): string {
  const [kind, ...rest] = String(value ?? '').split(':')
  const who = rest.join(':')
  const vi = lang === 'vi'
  switch (kind) {
    case 'account': {
      const name = accountName?.(who)
      return name && name !== who ? `${name} (${who})` : who
    }
    case 'cli':
      return vi ? `Dòng lệnh (người dùng ${who})` : `Command line (user ${who})`
    case 'push-key':
      return vi ? `Khóa API ${who}` : `API key ${who}`
    case 'pull':
      return vi ? `Kéo tự động từ ${who}` : `Pulled from ${who}`
    case 'inbox':
      return vi ? 'Thư mục nhận tệp' : 'Inbox folder'
    case 'demo':
      return vi ? 'Dữ liệu mẫu' : 'Demo data'
    case 'file':
      return vi ? 'Nạp trực tiếp trên máy chủ' : 'Loaded on the server'
    default:
      return '—'
  }
}
