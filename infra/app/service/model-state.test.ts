import { describe, expect, it } from 'vitest'
import { loadCatalog } from '../../catalog/load-catalog.ts'
import { ModelStore, type ModelState } from './model-state.ts'

// The parts a listener does not look into: the store only carries them.
const parts = (catalog = loadCatalog()) => ({ catalog, project: {} as ModelState['project'], semantic: {} as ModelState['semantic'], sharing: {} as ModelState['sharing'] })

describe('the model state', () => {
  it('is replaced whole, and each listener has finished, in order, when replace returns', async () => {
    const store = new ModelStore(parts())
    const first = store.now
    const heard: string[] = []
    store.onChange(async (now, before) => {
      await new Promise((r) => setTimeout(r, 20))
      heard.push(`project ${before.version}→${now.version}`)
    })
    store.onChange((now) => void heard.push(`cache ${now.version}`))
    const next = await store.replace(parts())
    expect(heard).toEqual(['project 1→2', 'cache 2'])
    expect(store.now).toBe(next)
    expect(next.version).toBe(2)
    // The state a reader held is as it was, and no one can change a state in place.
    expect(first.version).toBe(1)
    expect(Object.isFrozen(next)).toBe(true)
    expect(() => Object.assign(next, { version: 9 })).toThrow()
  })
})
