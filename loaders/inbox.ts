import fs from 'node:fs'
import path from 'node:path'
import type { Catalog } from '../infra/catalog/load-catalog.ts'
import type { Deliver } from './deliver.ts'
import type { LoadReport } from './load-file.ts'
import * as clock from '../infra/time/clock.ts'

/**
 * Inbox folders: an agency (or a file transfer job) drops files into
 * `<inbox>/<AGENCY>/<dataset>/`; the service loads each once it has stopped growing and writes
 * `<file>.report.json` into `.done/` or `.refused/`, so the sender sees what happened. The file
 * itself is then in the archive, sealed (encrypted at rest), and leaves the folder: a drop folder
 * never keeps residents' data in the clear. A file refused before kho could keep it (no hash in its
 * report) stays beside its report for the sender to mend.
 */
export interface InboxOptions {
  /** The catalogue in force, read at each use. */
  catalog: () => Catalog
  /** The one delivery path. */
  deliver: Deliver
  inboxDir: string
  onReport?: (report: LoadReport, file: string) => void
  onError?: (err: Error) => void
}

const OUTCOME_DIRS = new Set(['.done', '.refused'])

export class InboxWatcher {
  private readonly sizes = new Map<string, number>()
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null

  constructor(private readonly opts: InboxOptions) {}

  /** Creates an inbox per agency and dataset it may deliver, so senders find where to drop files. */
  prepareFolders(): void {
    const catalog = this.opts.catalog()
    for (const d of catalog.datasets) {
      const senders = d.delivered_by === 'owner' ? [d.owner] : [...new Set(catalog.indicators.map((i) => i.owner))]
      for (const agency of senders) fs.mkdirSync(path.join(this.opts.inboxDir, agency, d.id), { recursive: true })
    }
  }

  start(intervalMs: number): void {
    this.prepareFolders()
    const tick = () => {
      this.running = this.scanOnce()
        .then(
          () => undefined,
          (err: Error) => this.opts.onError?.(err),
        )
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs)
        })
    }
    this.timer = setTimeout(tick, intervalMs)
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running
  }

  /**
   * One pass: loads every file whose size did not change since the previous pass (a file still
   * being copied in is left for the next one). Returns the reports of the files it loaded.
   */
  async scanOnce(): Promise<LoadReport[]> {
    const reports: LoadReport[] = []
    const seen = new Set<string>()
    for (const agency of this.subdirs(this.opts.inboxDir)) {
      for (const dataset of this.subdirs(path.join(this.opts.inboxDir, agency))) {
        const dir = path.join(this.opts.inboxDir, agency, dataset)
        for (const name of fs.readdirSync(dir)) {
          const file = path.join(dir, name)
          if (name.startsWith('.') || !fs.statSync(file).isFile()) continue
          seen.add(file)
          const size = fs.statSync(file).size
          if (this.sizes.get(file) !== size) {
            this.sizes.set(file, size)
            continue
          }
          this.sizes.delete(file)
          const report = await this.opts.deliver.file({ file, dataset, agency, channel: 'inbox', deliveredBy: 'inbox' })
          this.settle(dir, name, report)
          reports.push(report)
          this.opts.onReport?.(report, file)
        }
      }
    }
    for (const file of this.sizes.keys()) if (!seen.has(file)) this.sizes.delete(file)
    return reports
  }

  private subdirs(dir: string): string[] {
    if (!fs.existsSync(dir)) return []
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !OUTCOME_DIRS.has(e.name)).map((e) => e.name)
  }

  private settle(dir: string, name: string, report: LoadReport) {
    const outcome = report.status === 'committed' || report.status === 'duplicate' ? '.done' : '.refused'
    const target = path.join(dir, outcome)
    fs.mkdirSync(target, { recursive: true })
    const stamped = `${clock.now().toISOString().replace(/[:.]/g, '-')}_${name}`
    fs.writeFileSync(path.join(target, `${stamped}.report.json`), JSON.stringify(report, null, 2))
    if (report.sha256) fs.rmSync(path.join(dir, name))
    else fs.renameSync(path.join(dir, name), path.join(target, stamped))
  }
}
