import path from 'node:path'
import { z } from 'zod'
import { parseClockSetting } from './time/clock.ts'
import { parseCron } from './time/cron.ts'
import { isNetworkEntry } from './access/account-networks.ts'

/** A cron expression (Vietnam time), checked when the configuration is read. */
const cron = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((c) => {
      try {
        parseCron(c)
        return true
      } catch {
        return false
      }
    }, 'biểu thức cron không hợp lệ / invalid cron expression')

/** Every setting kho reads from the environment, with its default. README.md documents each one. */
const envSchema = z.object({
  KHO_HOME: z.string().default('./data'),
  KHO_DATA_DIR: z.string().optional(),
  KHO_KEYS_DIR: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  KHO_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  KHO_TLS_CERT: z.string().min(1).optional(),
  KHO_TLS_KEY: z.string().min(1).optional(),
  KHO_TLS_REDIRECT_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KHO_TLS_RELOAD_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** The SQL API's port (Postgres wire protocol); off when unset. */
  KHO_SQL_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z0-9_]+$/, 'tên cluster chỉ gồm chữ, số, gạch dưới').optional(),
  KHO_DEMO: z.enum(['on', 'off']).default('on'),
  KHO_DEMO_SCALE: z.coerce.number().positive().max(100).default(1),
  KHO_SECRET: z.string().min(32, 'KHO_SECRET: ít nhất 32 ký tự / at least 32 characters').optional(),
  KHO_ADMIN_USER: z.string().optional(),
  KHO_ADMIN_PASSWORD: z.string().min(10, 'KHO_ADMIN_PASSWORD: ít nhất 10 ký tự / at least 10 characters').optional(),
  KHO_INBOX_POLL_S: z.coerce.number().min(0).max(86_400).default(10),
  KHO_UPLOAD_MAX_MB: z.coerce.number().positive().max(100_000).default(512),
  KHO_DIGEST_CRON: cron('0 7 * * *'),
  KHO_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'smtp://… hoặc smtps://…').optional(),
  KHO_SMTP_FROM: z.string().default('Kho du lieu so tinh <kho@localhost>'),
  KHO_BACKUP_CRON: cron('30 2 * * *'),
  KHO_ACCOUNT_REVIEW_CRON: cron('0 8 1 1,4,7,10 *'),
  KHO_AUDIT_RETENTION_MONTHS: z.coerce.number().int().min(0).max(1200).default(0),
  KHO_REFUSED_QUOTA_MB: z.coerce.number().positive().max(10_000_000).default(1024),
  KHO_REFUSED_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(180),
  KHO_BACKUP_KEEP: z.coerce.number().int().min(1).max(365).default(7),
  KHO_BACKUP_COPY_DIR: z.string().min(1).optional(),
  KHO_BACKUP_KEY: z.string().min(16, 'KHO_BACKUP_KEY: ít nhất 16 ký tự / at least 16 characters').optional(),
  KHO_ALERT_CHECK_S: z.coerce.number().int().min(0).max(86_400).default(60),
  KHO_JOB_CHECK_S: z.coerce.number().int().min(1).max(3600).default(60),
  KHO_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  KHO_ALERT_WEBHOOK_SECRET: z.string().min(16, 'KHO_ALERT_WEBHOOK_SECRET: ít nhất 16 ký tự / at least 16 characters').optional(),
  KHO_ALERT_WINDOW_MIN: z.coerce.number().int().min(1).max(1440).default(15),
  KHO_ALERT_REFUSALS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  KHO_ALERT_FAILED_SIGNINS: z.coerce.number().int().min(1).max(1_000_000).default(20),
  KHO_TRUST_PROXY: z.enum(['on', 'off']).default('off'),
  KHO_LOGIN_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(10),
  KHO_LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
  KHO_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  KHO_METRICS_ALLOW: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean)),
  KHO_API_RATE_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  KHO_ACCOUNT_NETWORKS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim()).filter(Boolean))
    .refine((list) => list.every(isNetworkEntry), 'địa chỉ hoặc khối CIDR, cách nhau bởi dấu phẩy (10.0.0.0/8,192.168.1.5) / addresses or CIDR blocks, comma-separated'),
  KHO_PULL_HOSTS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  /** The system clock's instant (ms) at which KHO_NOW held: a process started later continues the same timeline (tests' commands). */
  KHO_NOW_SINCE: z.coerce.number().int().positive().optional(),
  KHO_NOW: z
    .string()
    .refine((t) => parseClockSetting(t) !== null, 'YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM:SS+07:00 / a day or a date-time with its zone')
    .optional(),
  KHO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KHO_LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
})

export type WarehouseConfig =
  /** keysDir: the warehouse's disk encrypted with the keyring's keys (absent: a clear disk, for tests of other parts). */
  | { kind: 'chdb'; dataDir: string; keysDir?: string }
  | { kind: 'server'; url: string; user: string; password: string; cluster: string | null }

/** Where kho keeps its files, all under KHO_HOME, decided here once. */
export interface KhoPaths {
  /** Delivered files by content hash. */
  archive: string
  /** Documents attached to deliveries and catalogue entries, by content hash. */
  attachments: string
  /** Drop folders: <inbox>/<AGENCY>/<dataset>/. */
  inbox: string
  /** kho's own temporary files (uploads, pushed records) while they load. */
  uploads: string
  briefings: string
  digests: string
  backups: string
  openData: string
  demo: string
  /** Account review workbooks. */
  reviews: string
  /** The province's commune boundaries for the overview's map. */
  maps: string
  /** The sharing log's key and the chain's head, apart from the warehouse and its backups (audit-seal.ts). */
  audit: string
  /** The secret store for outbound calls' credentials, with its key (secret-store.ts). */
  secrets: string
  /**
   * The keys that encrypt the archive, attachments, backups and the embedded warehouse's disk
   * (keys/keyring.ts); KHO_KEYS_DIR puts them on another disk, apart from the data.
   */
  keys: string
}

export const pathsUnder = (home: string): KhoPaths => ({
  archive: path.join(home, 'archive'),
  attachments: path.join(home, 'attachments'),
  inbox: path.join(home, 'inbox'),
  uploads: path.join(home, 'uploads'),
  briefings: path.join(home, 'briefings'),
  digests: path.join(home, 'digests'),
  backups: path.join(home, 'backups'),
  openData: path.join(home, 'open-data'),
  demo: path.join(home, 'demo'),
  reviews: path.join(home, 'reviews'),
  maps: path.join(home, 'maps'),
  audit: path.join(home, 'audit'),
  secrets: path.join(home, 'secrets'),
  keys: path.join(home, 'keys'),
})

export interface KhoConfig {
  /** Root of everything kho keeps on disk besides the warehouse: archive, demo files, service lock. */
  home: string
  paths: KhoPaths
  warehouse: WarehouseConfig
  port: number
  host: string
  /**
   * HTTPS served directly: the certificate chain and key files (PEM, re-read every `reloadSeconds`
   * and on SIGHUP), and a plain-HTTP port that redirects to HTTPS (null: none).
   */
  tls: { cert: string; key: string; redirectPort: number | null; reloadSeconds: number; redirectHost: string | null } | null
  /** The SQL API's port (0: any free one), or null when it is not served. */
  sqlPort: number | null
  /** The address people reach kho at, for links in e-mails (KHO_PUBLIC_URL; default http://localhost:PORT). */
  publicUrl: string
  demo: { enabled: boolean; scale: number }
  /** Signs session tokens and Cube-style JWTs; generated into <home>/secret when not set. */
  secret: string | null
  /** The first administrator, created at start when missing. */
  admin: { user: string; password: string } | null
  /** Seconds between scans of the inbox folders; 0 turns the watcher off. */
  inboxPollSeconds: number
  /** Largest file accepted by upload (bytes). */
  uploadMaxBytes: number
  /** When the daily submission digest is written (cron, Vietnam time). */
  digestCron: string
  /**
   * Scheduled backups of the embedded warehouse (cron, Vietnam time) and how many to keep; each is
   * also copied as one file to `copyDir` (another disk, a mounted share), encrypted with `key` when set.
   */
  backup: { cron: string; keep: number; copyDir: string | null; key: string | null }
  /** When stewards are reminded to review accounts (cron, Vietnam time; quarterly). */
  accountReviewCron: string
  /** Months of the sharing log to keep (0: everything). */
  auditRetentionMonths: number
  /** Refused files kept per agency for the audit trail: bytes and days; beyond either the oldest go. */
  refusedFiles: { quotaBytes: number; retentionDays: number }
  /**
   * Alerts: how often the rules are checked (seconds; 0: only after runs and on request), the
   * webhook their events are posted to (signed with `secret` when set), and the spike thresholds:
   * refusals and failed sign-ins within `windowMinutes`.
   */
  /** Seconds between checks of the job schedules and of the calendar day (a new day rebuilds the marts). */
  jobCheckSeconds: number
  alerts: { checkSeconds: number; webhook: { url: string; secret: string | null } | null; windowMinutes: number; refusals: number; failedSignIns: number }
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (for rate limits and the audit). */
  trustProxy: boolean
  /** Where accounts may be used from (empty: anywhere). */
  accountNetworks: string[]
  /** Sign-in attempts in 5 minutes per account name and per address; API requests per caller per minute. */
  rateLimits: { loginAttempts: number; loginAttemptsPerAddress: number; apiPerMinute: number }
  /** How long a session token lives, and the longest any token may still be valid for (hours). */
  sessionHours: number
  /** Client addresses that may read /metrics without a token (a Prometheus server). */
  metricsAllow: string[]
  /** SMTP for e-mailing briefings; null keeps them as files only. */
  smtp: { url: string; from: string } | null
  /** The hosts (host or host:port; an internal address only when listed itself) pull connectors may call. */
  pullHosts: string[]
  /** kho's clock runs from this instant (KHO_NOW: to try deadlines and digests as of a day); null: the system clock. */
  now: Date | null
  logLevel: z.infer<typeof envSchema>['KHO_LOG_LEVEL']
  /** auto: readable lines when stdout is a terminal, JSON lines otherwise. */
  logFormat: z.infer<typeof envSchema>['KHO_LOG_FORMAT']
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): KhoConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Cấu hình môi trường không hợp lệ / invalid environment:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const home = path.resolve(e.KHO_HOME)
  const warehouse: WarehouseConfig = e.CLICKHOUSE_URL
    ? {
        kind: 'server',
        url: e.CLICKHOUSE_URL,
        user: e.CLICKHOUSE_USER,
        password: e.CLICKHOUSE_PASSWORD,
        cluster: e.CLICKHOUSE_CLUSTER ?? null,
      }
    : { kind: 'chdb', dataDir: path.resolve(e.KHO_DATA_DIR ?? path.join(home, 'warehouse')), keysDir: path.resolve(e.KHO_KEYS_DIR ?? path.join(home, 'keys')) }
  if (Boolean(e.KHO_TLS_CERT) !== Boolean(e.KHO_TLS_KEY)) {
    throw new ConfigError('KHO_TLS_CERT và KHO_TLS_KEY phải đặt cùng nhau / KHO_TLS_CERT and KHO_TLS_KEY go together')
  }
  if (e.KHO_TLS_REDIRECT_PORT !== undefined && !e.KHO_TLS_CERT) throw new ConfigError('KHO_TLS_REDIRECT_PORT cần KHO_TLS_CERT / KHO_TLS_REDIRECT_PORT needs KHO_TLS_CERT')
  if (warehouse.kind === 'chdb' && e.CLICKHOUSE_CLUSTER) {
    throw new ConfigError('CLICKHOUSE_CLUSTER cần CLICKHOUSE_URL / CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL')
  }
  return {
    home,
    paths: { ...pathsUnder(home), ...(e.KHO_KEYS_DIR ? { keys: path.resolve(e.KHO_KEYS_DIR) } : {}) },
    warehouse,
    port: e.PORT,
    host: e.HOST,
    sqlPort: e.KHO_SQL_PORT ?? null,
    tls: e.KHO_TLS_CERT && e.KHO_TLS_KEY ? { cert: path.resolve(e.KHO_TLS_CERT), key: path.resolve(e.KHO_TLS_KEY), redirectPort: e.KHO_TLS_REDIRECT_PORT ?? null, reloadSeconds: e.KHO_TLS_RELOAD_S, redirectHost: e.KHO_PUBLIC_URL ? new URL(e.KHO_PUBLIC_URL).hostname : null } : null,
    publicUrl: (e.KHO_PUBLIC_URL ?? `${e.KHO_TLS_CERT ? 'https' : 'http'}://localhost:${e.PORT}`).replace(/\/+$/, ''),
    demo: { enabled: e.KHO_DEMO === 'on', scale: e.KHO_DEMO_SCALE },
    secret: e.KHO_SECRET ?? null,
    admin: e.KHO_ADMIN_USER && e.KHO_ADMIN_PASSWORD ? { user: e.KHO_ADMIN_USER, password: e.KHO_ADMIN_PASSWORD } : null,
    inboxPollSeconds: e.KHO_INBOX_POLL_S,
    uploadMaxBytes: Math.round(e.KHO_UPLOAD_MAX_MB * 1024 * 1024),
    digestCron: e.KHO_DIGEST_CRON,
    backup: { cron: e.KHO_BACKUP_CRON, keep: e.KHO_BACKUP_KEEP, copyDir: e.KHO_BACKUP_COPY_DIR ? path.resolve(e.KHO_BACKUP_COPY_DIR) : null, key: e.KHO_BACKUP_KEY ?? null },
    accountReviewCron: e.KHO_ACCOUNT_REVIEW_CRON,
    auditRetentionMonths: e.KHO_AUDIT_RETENTION_MONTHS,
    refusedFiles: { quotaBytes: Math.round(e.KHO_REFUSED_QUOTA_MB * 1024 * 1024), retentionDays: e.KHO_REFUSED_RETENTION_DAYS },
    jobCheckSeconds: e.KHO_JOB_CHECK_S,
    alerts: {
      checkSeconds: e.KHO_ALERT_CHECK_S,
      webhook: e.KHO_ALERT_WEBHOOK_URL ? { url: e.KHO_ALERT_WEBHOOK_URL, secret: e.KHO_ALERT_WEBHOOK_SECRET ?? null } : null,
      windowMinutes: e.KHO_ALERT_WINDOW_MIN,
      refusals: e.KHO_ALERT_REFUSALS,
      failedSignIns: e.KHO_ALERT_FAILED_SIGNINS,
    },
    trustProxy: e.KHO_TRUST_PROXY === 'on',
    accountNetworks: e.KHO_ACCOUNT_NETWORKS,
    rateLimits: { loginAttempts: e.KHO_LOGIN_ATTEMPTS, loginAttemptsPerAddress: e.KHO_LOGIN_ATTEMPTS_PER_ADDRESS, apiPerMinute: e.KHO_API_RATE_PER_MIN },
    sessionHours: e.KHO_SESSION_HOURS,
    metricsAllow: e.KHO_METRICS_ALLOW,
    smtp: e.KHO_SMTP_URL ? { url: e.KHO_SMTP_URL, from: e.KHO_SMTP_FROM } : null,
    pullHosts: e.KHO_PULL_HOSTS,
    now: e.KHO_NOW ? new Date(parseClockSetting(e.KHO_NOW)!.getTime() + (e.KHO_NOW_SINCE ? Date.now() - e.KHO_NOW_SINCE : 0)) : null,
    logLevel: e.KHO_LOG_LEVEL,
    logFormat: e.KHO_LOG_FORMAT,
  }
}
