/**
 * A change feed page (Lào Cai Điều 10.1b: data shared to a system periodically or as it changes):
 * what `GET /api/feed/:request` answers and what kho posts to a system's feed address. The rows are
 * those of the view whose current version came with the deliveries the page covers — new and
 * changed rows, nothing else — and only the members the grant names.
 */
export interface FeedPage {
  /** The grant (sharing request id) the feed serves. */
  request: string
  dataset: string
  view: string
  /** The cursor this page follows ('' for the beginning) and the one to ask with next. */
  after: string
  next: string
  /** More deliveries are waiting after `next`. */
  more: boolean
  /** The deliveries whose rows this page carries, oldest first (a long delivery spans pages). */
  deliveries: { load_id: string; committed_at: string }[]
  /** The members each row carries: the grant's dimensions, and the delivery each row came with. */
  members: string[]
  rows: Record<string, unknown>[]
  generated_at: string
}

/**
 * The signature of a page: Ed25519 over the exact bytes of the body, base64; the public key is at
 * `GET /api/feed/signing-key`. A receiver checks it before trusting a pushed page.
 */
export const FEED_SIGNATURE_HEADER = 'x-kho-signature'
