import { HttpError } from '../../infra/http/http-error.ts'
import type { Model } from '../project/project.ts'

/** Models in an order where each comes after every model it refs; a cycle is an error naming it. */
export function topologicalOrder(models: Map<string, Model>): string[] {
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') throw new Error(`models depend on each other in a cycle: ${[...trail, name].join(' → ')}`)
    state.set(name, 'visiting')
    for (const ref of models.get(name)!.refs) visit(ref, [...trail, name])
    state.set(name, 'done')
    order.push(name)
  }
  for (const name of [...models.keys()].sort()) visit(name, [])
  return order
}

function children(models: Map<string, Model>): Map<string, string[]> {
  const out = new Map<string, string[]>([...models.keys()].map((k) => [k, []]))
  for (const m of models.values()) for (const ref of m.refs) out.get(ref)!.push(m.name)
  return out
}

function closure(start: string, next: (n: string) => string[]): Set<string> {
  const seen = new Set<string>([start])
  const queue = [start]
  while (queue.length) for (const n of next(queue.shift()!)) if (!seen.has(n)) seen.add(n), queue.push(n)
  return seen
}

export function descendants(models: Map<string, Model>, name: string): Set<string> {
  const kids = children(models)
  return closure(name, (n) => kids.get(n) ?? [])
}

/**
 * The models a selector names, dbt-style: `name`, `name+` (and everything downstream), `+name`
 * (and everything upstream), `tag:x`; several selectors are a union. No selector selects all.
 */
export function selectModels(models: Map<string, Model>, selectors: string[]): Set<string> {
  if (selectors.length === 0) return new Set(models.keys())
  const selected = new Set<string>()
  for (const raw of selectors) {
    const s = raw.trim()
    if (s.startsWith('tag:')) {
      for (const m of models.values()) if (m.config.tags.includes(s.slice(4))) selected.add(m.name)
      continue
    }
    const up = s.startsWith('+')
    const down = s.endsWith('+')
    const name = s.replace(/^\+|\+$/g, '')
    if (!models.has(name)) {
      // A selector comes from a person (CLI, API): a 400 with the reason, not a server error.
      throw new HttpError(400, 'bad_selector', `Bộ chọn "${raw}": không có mô hình ${name}`, `selector "${raw}": no model named ${name}`)
    }
    selected.add(name)
    if (down) for (const n of descendants(models, name)) selected.add(n)
    if (up) for (const n of closure(name, (x) => models.get(x)!.refs)) selected.add(n)
  }
  return selected
}

/** The tag of models that summarise every delivery (meta.loads, meta.rejects), whatever its dataset. */
export const EVERY_DELIVERY_TAG = 'deliveries'

/**
 * The models a delivery of these datasets changes: those reading one of them as a source, those
 * tagged as summarising every delivery, and everything downstream of either. The rest of the
 * project reads nothing the delivery touched, so a run after it leaves them as they are.
 */
export function modelsForDeliveries(models: Map<string, Model>, datasets: Iterable<string>): Set<string> {
  const touched = new Set(datasets)
  const out = new Set<string>()
  for (const m of models.values()) {
    if (out.has(m.name)) continue
    if (m.sources.some((s) => touched.has(s)) || m.config.tags.includes(EVERY_DELIVERY_TAG)) for (const n of descendants(models, m.name)) out.add(n)
  }
  return out
}
