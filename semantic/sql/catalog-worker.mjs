// A worker thread does not inherit the parent's `--import tsx`: it registers tsx itself, then runs
// the TypeScript entry (catalog-db.ts starts this file).
import { register } from 'tsx/esm/api'

register()
await import('./catalog-worker.ts')
