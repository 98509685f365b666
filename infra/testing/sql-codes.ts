import { queryRows, type Warehouse } from '../warehouse/client.ts'

/** Evaluates a SQL check expression over each value, in order: how tests hold SQL twins to their TypeScript parsers. */
export async function sqlCodes(wh: Warehouse, values: string[], expr: (v: string) => string): Promise<string[]> {
  const rows = await queryRows<{ code: string }>(
    wh.client,
    `SELECT ${expr('v')} AS code FROM (SELECT arrayJoin({values:Array(String)}) AS v, rowNumberInAllBlocks() AS n) ORDER BY n`,
    { values },
  )
  return rows.map((r) => r.code)
}
