import { PassThrough } from 'node:stream'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../config.ts'
import { loggerOptions, resolveLogFormat } from './log-format.ts'

/** What one log entry becomes in each format. */
async function logged(format: 'pretty' | 'json'): Promise<string> {
  const out = new PassThrough()
  let text = ''
  out.on('data', (b: Buffer) => (text += b.toString('utf8')))
  const app = Fastify({ logger: loggerOptions('info', format, out) })
  app.log.info({ file: 'bao-cao.csv', rows: 40 }, 'inbox file loaded')
  await app.close()
  await new Promise((r) => setImmediate(r))
  return text
}

describe('log lines', () => {
  it('are readable lines for a person at a terminal and JSON lines otherwise, KHO_LOG_FORMAT forcing either', async () => {
    const pretty = await logged('pretty')
    expect(pretty).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] INFO: inbox file loaded/)
    expect(pretty).toContain('file: "bao-cao.csv"')
    const json = JSON.parse((await logged('json')).split('\n')[0]!) as { msg: string; file: string; level: number }
    expect(json).toMatchObject({ msg: 'inbox file loaded', file: 'bao-cao.csv', level: 30 })
    expect([resolveLogFormat('auto', true), resolveLogFormat('auto', false), resolveLogFormat('json', true), resolveLogFormat('pretty', false)]).toEqual(['pretty', 'json', 'json', 'pretty'])
    expect(loadConfig({ KHO_LOG_FORMAT: 'json' }).logFormat).toBe('json')
    expect(() => loadConfig({ KHO_LOG_FORMAT: 'xml' })).toThrow()
  })
})
