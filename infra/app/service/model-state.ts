import type { Catalog } from '../../catalog/load-catalog.ts'
import type { Project } from '../../../transforms/project/project.ts'
import type { SemanticModel } from '../../../semantic/cube/compile-model.ts'
import type { SharingRules } from '../../../semantic/policy/view-policy.ts'

/**
 * What the service serves from, all derived from one catalogue: the catalogue itself, the transform
 * project, the semantic model and the sharing rules. Never changed in place: a dataset registered
 * in the product makes a new state that replaces the old one whole, so a reader holding one state
 * sees one catalogue's models throughout.
 */
export interface ModelState {
  readonly catalog: Catalog
  readonly project: Project
  readonly semantic: SemanticModel
  readonly sharing: SharingRules
  /** 1 for the state the service started with; one more for each replacement. */
  readonly version: number
}

/** Told of each replacement, with the state that was replaced; awaited before `replace` returns. */
export type ModelChange = (now: ModelState, before: ModelState) => void | Promise<void>

/** The model state in force, and who is told when it is replaced. */
export class ModelStore {
  #now: ModelState
  readonly #listeners: ModelChange[] = []

  constructor(first: Omit<ModelState, 'version'>) {
    this.#now = Object.freeze({ ...first, version: 1 })
  }

  /** The state in force: read it at each use rather than keep it, or a registration passes you by. */
  get now(): ModelState {
    return this.#now
  }

  /** Listeners run in the order they were added (the transform project before the caches, say). */
  onChange(listener: ModelChange): void {
    this.#listeners.push(listener)
  }

  /** Puts a new state in force at once, then tells every listener; resolves when all are done. */
  async replace(next: Omit<ModelState, 'version'>): Promise<ModelState> {
    const before = this.#now
    this.#now = Object.freeze({ ...next, version: before.version + 1 })
    for (const listener of this.#listeners) await listener(this.#now, before)
    return this.#now
  }
}
