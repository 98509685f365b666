import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import cubeCompiler from '@cubejs-backend/schema-compiler'
import { parse as parseYaml } from 'yaml'

/**
 * The Cube data model under semantic/model, compiled by Cube's own schema compiler in-process
 * (Cube's server cannot run here; see architecture.md). The compiler needs a "native instance" only
 * for Jinja and Python templates; kho's model is plain YAML, so templates are refused.
 */
export const MODEL_DIR = path.resolve(fileURLToPath(import.meta.url), '../../model')

export type CubeCompilers = ReturnType<typeof cubeCompiler.prepareCompiler>

export interface MemberMeta {
  name: string
  title: string
  shortTitle: string
  type: string
  description?: string
  format?: string
}

export interface CubeMeta {
  name: string
  title: string
  description?: string
  type: 'cube' | 'view'
  public: boolean
  measures: MemberMeta[]
  dimensions: MemberMeta[]
  segments: MemberMeta[]
}

export interface SemanticModel {
  compilers: CubeCompilers
  /** What /meta serves: the public views with their members, as Cube's compiler describes them. */
  meta: CubeMeta[]
  /** Public members by full name ("kt_xh.value"): their kind and metadata. */
  members: Map<string, { kind: 'measure' | 'dimension' | 'segment'; meta: MemberMeta }>
  /** Each view and the warehouse tables its cubes read, for lineage. */
  lineage: { view: string; cubes: string[]; tables: string[] }[]
}

export class SemanticModelError extends Error {}

const refuseTemplates = () => {
  throw new SemanticModelError('Jinja/Python templates are not supported in the kho model: write plain YAML')
}

const nativeInstance = {
  newJinjaEngine: () => ({ loadTemplate: refuseTemplates, renderTemplate: refuseTemplates }),
  loadPythonContext: async () => ({ filters: {}, functions: {}, variables: {} }),
}

function modelFiles(dir: string): { fileName: string; content: string }[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ fileName: f, content: fs.readFileSync(path.join(dir, f), 'utf8') }))
}

/** Compiles the model; a broken model throws with the file and member Cube's compiler names. */
/** A view's access declaration (meta.access, semantic/model/view-access.ts) is the policy's, not the caller's: /meta leaves it out. */
function withoutAccess(c: CubeMeta): Partial<CubeMeta> {
  const meta = (c as { meta?: Record<string, unknown> }).meta
  if (!meta || !('access' in meta)) return {}
  const { access: _access, ...rest } = meta
  return { meta: rest } as Partial<CubeMeta>
}

const isInternal = (m: unknown) => (m as { meta?: { internal?: boolean } }).meta?.internal === true

/**
 * Cube's compiler transpiles each file (YAML to JavaScript, then a VM script) keyed by the file's
 * content; these caches are handed to every compile, as Cube's own server does, so a recompile after
 * a catalogue change transpiles only the files that changed (2.7 s → 1.6 s for the demo's model).
 * Entries a compile did not use are dropped after it, so the caches hold one model's worth.
 */
class CompileCache<V> {
  private entries = new Map<string, V>()
  private used = new Set<string>()
  has(key: string) {
    return this.entries.has(key)
  }
  get(key: string) {
    this.used.add(key)
    return this.entries.get(key)
  }
  set(key: string, value: V) {
    this.used.add(key)
    this.entries.set(key, value)
  }
  keepUsed() {
    for (const key of this.entries.keys()) if (!this.used.has(key)) this.entries.delete(key)
    this.used.clear()
  }
}
const caches = { compiledScriptCache: new CompileCache<unknown>(), compiledYamlCache: new CompileCache<string>(), compiledJinjaCache: new CompileCache<string>() }

/**
 * Compiles of the same files share one result (the last few kept): the service starts the compiles
 * it will need while the rest of it loads (warm-start.ts), and whoever asks for the same model
 * later — the boot, a catalogue approval — takes it. A compile that fails is not kept.
 */
const compiled = new Map<string, Promise<SemanticModel>>()
const KEEP_COMPILED = 4

export function compileSemanticModel(dir = MODEL_DIR, generated: { fileName: string; content: string }[] = []): Promise<SemanticModel> {
  // Generated files (datasets' cubes and views from the catalogue) compile with the hand-written model.
  const files = [...modelFiles(dir), ...generated]
  const key = createHash('sha256').update(JSON.stringify([dir, files])).digest('hex')
  let model = compiled.get(key)
  if (!model) {
    model = compileFiles(dir, files)
    compiled.set(key, model)
    model.catch(() => compiled.delete(key))
    for (const old of compiled.keys()) if (compiled.size > KEEP_COMPILED) compiled.delete(old)
  }
  return model
}

async function compileFiles(dir: string, files: { fileName: string; content: string }[]): Promise<SemanticModel> {
  const repo = { localPath: () => dir, dataSchemaFiles: async () => files }
  const compilers = cubeCompiler.prepareCompiler(repo as never, { nativeInstance: nativeInstance as never, adapter: 'clickhouse', standalone: true, ...caches } as never)
  try {
    await compilers.compiler.compile()
    for (const c of Object.values(caches)) c.keepUsed()
  } catch (err) {
    // Cube names the cube and member; say which file defines that cube too.
    const fileOf = new Map<string, string>()
    for (const f of files) {
      const doc = parseYaml(f.content) as { cubes?: { name?: string }[]; views?: { name?: string }[] } | null
      for (const c of [...(doc?.cubes ?? []), ...(doc?.views ?? [])]) if (c.name) fileOf.set(c.name, f.fileName)
    }
    const message = (err as Error).message.replace(/^(\w+) (cube|view):/gm, (m, name: string) => (fileOf.has(name) ? `${fileOf.get(name)}: ${m}` : m))
    throw new SemanticModelError(`Mô hình ngữ nghĩa không hợp lệ / the semantic model does not compile:\n${message}`)
  }
  const meta: CubeMeta[] = (compilers.metaTransformer.cubes as unknown as { config: CubeMeta & { isVisible?: boolean } }[])
    .map((c) => c.config)
    .filter((c) => c.public !== false && c.isVisible !== false)
    // Members marked meta.internal (a cell key for disclosure control) are kho's alone: not served, not askable.
    .map((c) => ({ ...c, ...withoutAccess(c), measures: c.measures.filter((m) => !isInternal(m)), dimensions: c.dimensions.filter((d) => !isInternal(d)) }))
  const members: SemanticModel['members'] = new Map()
  for (const cube of meta) {
    for (const m of cube.measures) members.set(m.name, { kind: 'measure', meta: m })
    for (const d of cube.dimensions) members.set(d.name, { kind: 'dimension', meta: d })
    for (const s of cube.segments) members.set(s.name, { kind: 'segment', meta: s })
  }
  // Which tables each view reads: its cubes' sql_table, through the join paths it includes.
  const evaluator = compilers.cubeEvaluator as unknown as {
    evaluatedCubes: Record<string, { isView?: boolean; sqlTable?: () => string; cubes?: { joinPath: unknown }[] }>
    evaluateReferences(cube: null, ref: unknown, options: { collectJoinHints: boolean }): unknown
  }
  const evaluated = evaluator.evaluatedCubes
  const tableOf = (cube: string) => evaluated[cube]?.sqlTable?.() ?? ''
  const lineage = Object.entries(evaluated)
    .filter(([, c]) => c.isView)
    .map(([view, c]) => {
      const paths = (c.cubes ?? []).map((j) => String(evaluator.evaluateReferences(null, j.joinPath, { collectJoinHints: true })))
      const cubes = [...new Set(paths.flatMap((p) => p.split('.')))]
      return { view, cubes, tables: cubes.map(tableOf).filter(Boolean) }
    })
  return { compilers, meta, members, lineage }
}
