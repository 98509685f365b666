/**
 * Times every statement the service sends to the warehouse while it records (bench only): where a
 * delivery's seconds go, and the moment a mart's table was swapped in — found without querying
 * the engine, which runs one statement at a time, so a poll would queue beside the run it times.
 */
import type { ClickHouseClient } from '@clickhouse/client'

export interface TimedStatement {
  /** Milliseconds since recording began, when the statement was sent and when it was answered. */
  sent: number
  answered: number
  sql: string
}

type Method = 'query' | 'command' | 'exec' | 'insert'

export function statementTimer(client: ClickHouseClient) {
  let since = 0
  let recorded: TimedStatement[] | null = null
  const target = client as unknown as Record<Method, (params: { query?: string; table?: string }) => Promise<unknown>>
  for (const method of ['query', 'command', 'exec', 'insert'] as const) {
    const original = target[method].bind(client)
    target[method] = async (params) => {
      const sent = performance.now() - since
      try {
        return await original(params)
      } finally {
        recorded?.push({ sent, answered: performance.now() - since, sql: (params.query ?? `INSERT INTO ${params.table}`).replace(/\s+/g, ' ').trim() })
      }
    }
  }
  return {
    start() {
      since = performance.now()
      recorded = []
    },
    stop(): TimedStatement[] {
      const out = recorded ?? []
      recorded = null
      return out
    },
  }
}

/** When the statement swapping `database.table`'s new build in was answered (ms), if one was. */
export function swappedIn(statements: TimedStatement[], database: string, table: string): number | null {
  const name = new RegExp(`^EXCHANGE TABLES \\S+ AND \`?${database}\`?\\.\`?${table}\`?$`)
  return statements.find((s) => name.test(s.sql))?.answered ?? null
}
