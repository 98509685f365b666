import { Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql'
import type { SecurityContext } from '../policy/view-policy.ts'
import { QUERIES_PER_REQUEST } from './cube-api.ts'
import { QueryError } from '../cube/cube-query.ts'

/**
 * What one GraphQL request may ask of the serial engine: each `cube` field is one query, so their
 * number is bounded, and so are the document's size (tokens), fields and depth — the public's the
 * tightest. A request beyond it is refused before anything runs (3,000 aliases had held every
 * other caller for 25 s); within it, each cube field counts against the caller's rate.
 */
export const GRAPHQL_BUDGET = {
  public: { tokens: 2_000, fields: 200, depth: 6, cubes: QUERIES_PER_REQUEST.public },
  signedIn: { tokens: 20_000, fields: 2_000, depth: 8, cubes: QUERIES_PER_REQUEST.signedIn },
}

/** The document, parsed within the token budget and measured against the rest; the number of `cube` fields. */
export function withinBudget(query: string, sec: SecurityContext): { document: DocumentNode; cubes: number } {
  const budget = sec.role === 'public' ? GRAPHQL_BUDGET.public : GRAPHQL_BUDGET.signedIn
  const over = (vi: string, en: string) => new QueryError(`Truy vấn GraphQL vượt giới hạn: ${vi}`, `The GraphQL request is over its budget: ${en}`)
  let document: DocumentNode
  try {
    document = parse(query, { maxTokens: budget.tokens })
  } catch (err) {
    if (/contains more th\w+ \d+ tokens/i.test((err as Error).message)) throw over(`quá ${budget.tokens} ký hiệu`, `more than ${budget.tokens} tokens`)
    throw new QueryError(`Truy vấn GraphQL không hợp lệ: ${(err as Error).message}`, `Invalid GraphQL query: ${(err as Error).message}`)
  }
  let fields = 0
  let cubes = 0
  let deepest = 0
  const walk = (set: SelectionSetNode | undefined, depth: number) => {
    if (!set) return
    deepest = Math.max(deepest, depth)
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        fields++
        if (depth === 1 && sel.name.value === 'cube') cubes++
        walk(sel.selectionSet, depth + 1)
      } else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, depth)
    }
  }
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) walk(def.selectionSet, 1)
    // A fragment may be spread at the top: its cube fields count as if written there.
    else if (def.kind === Kind.FRAGMENT_DEFINITION) walk(def.selectionSet, def.typeCondition.name.value === 'Query' ? 1 : 2)
  }
  if (cubes > budget.cubes) throw over(`${cubes} truy vấn cube, tối đa ${budget.cubes}`, `${cubes} cube queries, at most ${budget.cubes}`)
  if (fields > budget.fields) throw over(`${fields} trường, tối đa ${budget.fields}`, `${fields} fields, at most ${budget.fields}`)
  if (deepest > budget.depth) throw over(`độ sâu ${deepest}, tối đa ${budget.depth}`, `depth ${deepest}, at most ${budget.depth}`)
  return { document, cubes }
}
