import type { Writable } from 'node:stream'
import type { FastifyServerOptions } from 'fastify'
import pretty from 'pino-pretty'

export type LogFormat = 'pretty' | 'json'

/** `auto`: readable lines for a person at a terminal, JSON lines for a log collector otherwise. */
export const resolveLogFormat = (asked: 'auto' | LogFormat, isTty = process.stdout.isTTY === true): LogFormat => (asked === 'auto' ? (isTty ? 'pretty' : 'json') : asked)

/**
 * The service's logger: JSON lines with request ids (what collectors read), or the same entries
 * as readable lines (pino-pretty, in this thread: no transport worker to outlive a shutdown).
 */
export function loggerOptions(level: string, format: LogFormat, destination: Writable | NodeJS.WritableStream = process.stdout): FastifyServerOptions['logger'] {
  if (format === 'json') return destination === process.stdout ? { level } : { level, stream: destination }
  return { level, stream: pretty({ destination, colorize: destination === process.stdout && process.stdout.isTTY === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname', sync: true }) }
}
