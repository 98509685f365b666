import type { Keyring } from '../../keys/keyring.ts'
import type { Deliver } from '../../../loaders/deliver.ts'
import type { KhoConfig } from '../../config.ts'
import type { Warehouse } from '../../warehouse/client.ts'
import type { JobScheduler } from '../../scheduler/job-scheduler.ts'
import type { IocConfig } from '../../../dashboards/ioc-config.ts'
import type { Briefing } from '../../../dashboards/briefings/briefing-definition.ts'
import type { TransformCoordinator } from '../../../transforms/runner/coordinator.ts'
import type { AuditLog } from '../../access/audit-log.ts'
import type { ResultCache } from '../../../semantic/cube/result-cache.ts'
import type { RollupStore } from '../../../semantic/cube/rollups.ts'
import type { LiveChanges } from '../../../semantic/api/live-changes.ts'
import type { CubeApiContext } from '../../../semantic/api/cube-api.ts'
import type { SendMail } from '../../files/mailer.ts'
import type { GrantRegistry } from '../../../semantic/sharing/grants.ts'
import type { AlertKeeper } from '../alerts/alert-keeper.ts'
import type { SecretStore } from '../../access/secret-store.ts'
import { valueNames } from '../../catalog/value-names.ts'
import type { AllowedHosts } from '../../http/allowed-hosts.ts'
import type { ModelStore } from './model-state.ts'
import type { SigningKey } from '../../keys/signing-key.ts'
import type { FeedPusher } from '../../../semantic/sharing/feed-pusher.ts'

export interface DemoProgress {
  state: 'off' | 'pending' | 'seeding' | 'ready' | 'failed'
  done: number
  total: number
  error: string | null
}

/** What every route handler may use; built once by the service bootstrap. */
export interface ServiceContext {
  config: KhoConfig
  /** The catalogue and what is derived from it (project, semantic model, sharing), replaced whole on a registration. */
  model: ModelStore
  wh: Warehouse
  /** Shared secret for local admin commands (see service-file.ts). */
  token: string
  demo: DemoProgress
  startedAt: Date
  /** The one place transform runs go through. */
  transforms: TransformCoordinator
  /** Signs and checks session tokens and Cube-style JWTs. */
  secret: string
  audit: AuditLog
  /** Credentials for outbound calls (pull connectors), set by an administrator. */
  secrets: SecretStore
  /** The keys that seal the archive, attachments and backups (and the warehouse's disk). */
  keys: Keyring
  /** The hosts pull connectors may call: the operator's and the stewards'. */
  pullHosts: AllowedHosts
  cache: ResultCache<Record<string, unknown>[]>
  /** The semantic model's rollups, rebuilt after every transform run. */
  rollups: RollupStore
  /** Bumped when a transform run changes the marts; part of every cache key. */
  dataVersion: number
  /** Which tables each run rebuilt, pushed to the dashboards (GET /api/live). */
  live: LiveChanges
  /** Operations alerts: the rules checked, alerts opened and resolved, stewards and agencies told. */
  alerts: AlertKeeper
  /** Scheduled work (daily digest, briefings) with its run history. */
  jobs: JobScheduler
  /** The one delivery path: loads, and the marts follow a committed delivery. */
  deliver: Deliver
  /** E-mail over SMTP when configured (null: files and pages only); one transport for the service. */
  send: SendMail | null
  /** Approved sharing requests, as the view policy reads them. */
  grants: GrantRegistry
  /** kho's own signing key (the change feed's pages). */
  signer: SigningKey
  /** Pushes the grants by feed to their systems after each transform run. */
  feeds: FeedPusher
  /** When the last finished transform run began (warehouse time), or null: deliveries committed before it are in the marts. */
  settledAt: string | null
  /** dashboards/ioc.yaml and dashboards/briefings/*.yaml, validated at start. */
  dashboards: { ioc: IocConfig; briefings: Briefing[] }
}

/**
 * The semantic layer's part of the context, as the Cube API and briefings use it. The model and the
 * sharing rules are read at each use: a dataset registered in the product replaces them while the
 * service runs.
 */
export function cubeContextOf(ctx: ServiceContext): CubeApiContext {
  return {
    wh: ctx.wh,
    secret: ctx.secret,
    audit: ctx.audit,
    cache: ctx.cache,
    rollups: ctx.rollups,
    dataVersion: () => ctx.dataVersion,
    // Read from the state in force at each use: a registration replaces it.
    get model() {
      return ctx.model.now.semantic
    },
    get sharing() {
      return ctx.model.now.sharing
    },
    names: (member, value, lang) => valueNames(ctx.model.now.catalog)(member, value, lang),
  }
}
