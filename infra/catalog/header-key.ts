/**
 * The form in which a column header is compared: lower case, no Vietnamese diacritics, words
 * joined by single underscores. "Số CCCD", "so cccd" and "SO_CCCD" all become "so_cccd".
 */
export function headerKey(header: string): string {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}
