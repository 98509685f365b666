import fs from 'node:fs'
import path from 'node:path'

/**
 * The project's imports as a graph, and the layout's rules checked on it (README "Layout"). Written
 * here rather than with dependency-cruiser: the rules are five lines of path prefixes, and reading
 * ESM import specifiers that always carry their extension needs no resolver.
 */
export type Layer = 'base' | 'app' | 'loaders' | 'transforms' | 'semantic' | 'dashboards' | 'browser' | 'contracts' | 'tool'

/** Features in data-flow order: each may import those before it, never those after. */
const FEATURES: Layer[] = ['loaders', 'transforms', 'semantic', 'dashboards']

export function layerOf(file: string): Layer {
  // What crosses the wire, and pure rules both sides use: imports nothing outside itself, imported by anyone.
  if (file.startsWith('infra/contracts/')) return 'contracts'
  if (file.startsWith('dashboards/web/')) return 'browser'
  if (file.startsWith('infra/app/')) return 'app'
  if (file.startsWith('infra/')) return 'base'
  for (const f of FEATURES) if (file.startsWith(`${f}/`)) return f
  return 'tool' // bench/, bin/, configuration at the root: outside the layers
}

/** Tests and test helpers may reach across layers (a feature's test starts the whole service). */
const isTestCode = (file: string) => /\.test\.tsx?$/.test(file) || file.includes('/testing/') || file.endsWith('.config.ts')

const SPECIFIER = /(?:^|[^\w.])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Relative imports of one source text, resolved to project paths. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2]!
    if (spec.startsWith('.')) out.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)))
  }
  return out
}

export type Graph = Map<string, string[]>

/** Every .ts/.tsx file under the given top-level folders, with its relative imports. */
export function readGraph(root: string, folders: string[]): Graph {
  const graph: Graph = new Map()
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist' && !entry.name.startsWith('.')) walk(child)
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        graph.set(child, importsOf(child, fs.readFileSync(path.join(root, child), 'utf8')))
      }
    }
  }
  for (const f of folders) if (fs.existsSync(path.join(root, f))) walk(f)
  return graph
}

/** Why `from` may not import `to`, or null when it may. */
export function ruleBroken(from: string, to: string): string | null {
  const a = layerOf(from)
  const b = layerOf(to)
  if (a === 'contracts') return b === 'contracts' ? null : 'the contracts (infra/contracts) import beyond themselves'
  if (b === 'contracts') return null
  if (a === 'browser') return b === 'browser' ? null : 'browser code imports server code'
  if (b === 'browser') return 'server code imports the browser app'
  if (isTestCode(from) || a === 'tool' || a === 'app') return null
  if (b === 'app') return `${a} imports the composition root (infra/app)`
  if (a === 'base') return FEATURES.includes(b) ? `the base (infra) imports a feature (${b})` : null
  const ai = FEATURES.indexOf(a)
  const bi = FEATURES.indexOf(b)
  return bi > ai ? `${a} imports ${b}, against the data flow (${FEATURES.join(' → ')})` : null
}

/** Import circles: each strongly connected group of two or more files (or a file importing itself). */
export function cycles(graph: Graph): string[][] {
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        group.push(w)
      } while (w !== v)
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort())
    }
  }
  for (const v of graph.keys()) if (!indices.has(v)) visit(v)
  return found
}

/**
 * Circles between folders that are not one inside the other: a folder may use its parent's files
 * and its parent may assemble it, but two sibling folders (infra/warehouse and infra/catalog,
 * semantic/cube and semantic/policy) that need each other are one room drawn as two. Test code is
 * left out, as it is of the layer rules.
 */
export function folderCycles(graph: Graph): string[][] {
  const within = (a: string, b: string) => a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`)
  const folders: Graph = new Map()
  for (const [from, tos] of graph) {
    if (isTestCode(from)) continue
    const a = path.posix.dirname(from)
    const out = folders.get(a) ?? []
    folders.set(a, out)
    for (const to of tos) {
      const b = path.posix.dirname(to)
      if (graph.has(to) && !isTestCode(to) && !within(a, b) && !out.includes(b)) out.push(b)
    }
  }
  return cycles(folders)
}

/** Every broken rule in a graph, one line each. */
export function violations(graph: Graph): string[] {
  const out: string[] = []
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const why = ruleBroken(from, to)
      if (why) out.push(`${from} → ${to}: ${why}`)
    }
  }
  for (const group of cycles(graph)) out.push(`import circle: ${group.join(' ↔ ')}`)
  for (const group of folderCycles(graph)) out.push(`folder circle: ${group.join(' ↔ ')}`)
  return out.sort()
}
