import type { KhoConfig } from '../../config.ts'
import type { Via } from './client.ts'

/** A usage mistake: exit code 2 and the usage line. */
export class UsageError extends Error {}

export const fmt = new Intl.NumberFormat('vi-VN')

export function viaText(via: Via): string {
  return via.via === 'service' ? `qua dịch vụ ${via.url}` : `mở trực tiếp ${via.dataDir ?? 'máy chủ ClickHouse'}`
}

/** What every command gets: the configuration, the parsed options and words, and how to print. */
export interface CommandRun {
  config: KhoConfig
  values: {
    json: boolean
    demo: boolean
    scale?: string | undefined
    'as-of'?: string | undefined
    dataset?: string | undefined
    sheet?: string | undefined
    out?: string | undefined
    label?: string | undefined
    select?: string[] | undefined
    'full-refresh': boolean
    agency?: string | undefined
    period?: string | undefined
    home?: string | undefined
  }
  positionals: string[]
  /** Prints `result` as JSON with --json, else runs `human`. */
  out: (result: unknown, human: () => void) => void
}
