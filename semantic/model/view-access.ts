import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

/**
 * Who may see each hand-written view, declared beside the view in its YAML (`meta.access`), so that
 * a new view and its access are one change in one file. The rules that read these declarations are
 * in semantic/policy/view-policy.ts; the served /meta leaves `access` out.
 */
export interface ViewPolicy {
  /** Open whatever its dataset's scope: aggregate statistics published with protected counts. */
  open?: boolean
  agencyMember?: string
  communeMember?: string
  /** The catalogue dataset the view shows. */
  dataset?: string
  /** A count of people the public sees only perturbed, and the hidden measure holding each cell's key. */
  protect?: { measure: string; cellKey: string }
  /** Reads a table that changes with every request (the sharing log): its answers are never cached. */
  live?: boolean
}

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views')

const member = z.string().regex(/^\w+\.\w+$/, 'a member: view.member')
const accessSchema = z.strictObject({
  open: z.boolean().optional(),
  dataset: z.string().regex(/^[a-z][a-z0-9_]*$/).optional(),
  agency_member: member.optional(),
  commune_member: member.optional(),
  protect: z.strictObject({ measure: member, cell_key: member }).optional(),
  live: z.boolean().optional(),
})

const viewFileSchema = z.object({ views: z.array(z.object({ name: z.string(), meta: z.object({ access: accessSchema.optional() }).passthrough().optional() }).passthrough()) })

/** Reads every view file's declarations; a view without `meta.access` is refused (closed by default means said out loud). */
export function readViewAccess(dir = VIEWS_DIR): Record<string, ViewPolicy> {
  const out: Record<string, ViewPolicy> = {}
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const parsed = viewFileSchema.safeParse(parseYaml(fs.readFileSync(path.join(dir, file), 'utf8')))
    if (!parsed.success) throw new Error(`${file}: meta.access — ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
    for (const view of parsed.data.views) {
      const a = view.meta?.access
      if (!a) throw new Error(`${file}: view ${view.name} declares no meta.access (who may see it)`)
      out[view.name] = {
        ...(a.open !== undefined ? { open: a.open } : {}),
        ...(a.dataset ? { dataset: a.dataset } : {}),
        ...(a.agency_member ? { agencyMember: a.agency_member } : {}),
        ...(a.commune_member ? { communeMember: a.commune_member } : {}),
        ...(a.protect ? { protect: { measure: a.protect.measure, cellKey: a.protect.cell_key } } : {}),
        ...(a.live !== undefined ? { live: a.live } : {}),
      }
    }
  }
  return out
}

/** The hand-written views' access, read once: the model's files change only with a release. */
export const VIEW_ACCESS: Readonly<Record<string, ViewPolicy>> = readViewAccess()

/** Whether a dataset has a hand-written view (else one is generated from its entry). */
export const hasHandWrittenView = (dataset: string) => Object.entries(VIEW_ACCESS).some(([view, p]) => p.dataset === dataset || view === dataset)
