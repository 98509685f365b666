import { dayText, periodWords } from '../../contracts/question-words.ts'
import type { Catalog } from '../../catalog/load-catalog.ts'
import { queryRows, type Warehouse } from '../../warehouse/client.ts'
import { warehouseTime } from '../../warehouse/sql.ts'
import { vietnamDay } from '../../time/periods.ts'
import { listObligations } from '../../../semantic/portal/submission-digest.ts'

export const ALERT_RULES = [
  'connector_failed',
  'backup_failed',
  'audit_chain_broken',
  'job_failed',
  'transform_failed',
  'data_test_failed',
  'dataset_overdue',
  'refusals_spike',
  'failed_signins_spike',
] as const
export type AlertRule = (typeof ALERT_RULES)[number]

/** Something a rule finds wrong now. The same key while it lasts: one alert, not one per check. */
export interface Firing {
  key: string
  rule: AlertRule
  severity: 'critical' | 'warning'
  /** The owner agency it concerns (its officers are told too), or ''. */
  agency: string
  title: { vi: string; en: string }
  /** What the rule found, for the page and the webhook: counts, codes and names, never personal data. */
  detail: Record<string, unknown>
}

export interface RuleDeps {
  wh: Warehouse
  catalog: Catalog
  /** Scheduled jobs' titles by id (pull connectors, backup, digest, briefings…). */
  jobTitles: () => Record<string, { vi: string; en: string }>
  /** The transform project's models now: one removed since it failed is no longer an alert. */
  models: () => Iterable<string>
  /** The spike rules: refusals and failed sign-ins counted over the last `windowMinutes`. */
  thresholds: { windowMinutes: number; refusals: number; failedSignIns: number }
}

/** Each scheduled job whose latest finished run failed. */
async function failedJobs(deps: RuleDeps): Promise<Firing[]> {
  const rows = await queryRows<{ job: string; message: string; at: string }>(
    deps.wh.client,
    `SELECT job, argMax(message, started_at) AS message, toString(max(started_at)) AS at, argMax(status, started_at) AS last
     FROM meta.job_runs FINAL WHERE status IN ('succeeded', 'failed') GROUP BY job HAVING last = 'failed' ORDER BY job`,
  )
  const titles = deps.jobTitles()
  return rows.map((r) => {
    const title = titles[r.job] ?? { vi: r.job, en: r.job }
    const pulled = r.job.startsWith('pull:') ? deps.catalog.dataset(r.job.slice(5)) : undefined
    const rule: AlertRule = pulled ? 'connector_failed' : r.job === 'backup' ? 'backup_failed' : r.job === 'audit-verify' ? 'audit_chain_broken' : 'job_failed'
    return {
      key: `job:${r.job}`,
      rule,
      severity: rule === 'job_failed' ? 'warning' : 'critical',
      agency: pulled?.owner ?? '',
      title: { vi: `Tác vụ thất bại: ${title.vi}`, en: `Job failed: ${title.en}` },
      detail: { job: r.job, failed_at: r.at, message: r.message.slice(0, 500) },
    }
  })
}

/** Each model whose latest build failed (models skipped behind it are the same cause). */
async function failedModels(deps: RuleDeps): Promise<Firing[]> {
  const rows = await queryRows<{ model: string; error: string; at: string }>(
    deps.wh.client,
    `SELECT model, argMax(error, started_at) AS error, toString(max(started_at)) AS at, argMax(status, started_at) AS last
     FROM meta.runs WHERE status IN ('success', 'error') GROUP BY model HAVING last = 'error' ORDER BY model`,
  )
  const models = new Set(deps.models())
  return rows.filter((r) => models.has(r.model)).map((r) => ({
    key: `model:${r.model}`,
    rule: 'transform_failed',
    severity: 'critical',
    agency: '',
    title: { vi: `Mô hình biến đổi không dựng được: ${r.model}`, en: `Transform model failed to build: ${r.model}` },
    detail: { model: r.model, failed_at: r.at, error: r.error.slice(0, 500) },
  }))
}

/**
 * Each data test not passing in its model's latest test run (a test since removed or renamed is
 * not in it); the count only: the failing rows may be personal data.
 */
async function failedTests(deps: RuleDeps): Promise<Firing[]> {
  const rows = await queryRows<{ model: string; test: string; status: string; failures: string }>(
    deps.wh.client,
    `SELECT model, test, status, toString(failures) AS failures FROM meta.test_results
     WHERE (model, run_id) IN (SELECT model, argMax(run_id, ran_at) FROM meta.test_results GROUP BY model) AND status != 'pass'
     ORDER BY model, test`,
  )
  const models = new Set(deps.models())
  return rows.filter((r) => models.has(r.model)).map((r) => ({
    key: `test:${r.model}:${r.test}`,
    rule: 'data_test_failed',
    severity: r.status === 'error' ? 'critical' : 'warning',
    agency: '',
    title: { vi: `Kiểm thử dữ liệu không đạt: ${r.model} — ${r.test}`, en: `Data test not passing: ${r.model} — ${r.test}` },
    detail: { model: r.model, test: r.test, status: r.status, failures: Number(r.failures) },
  }))
}

/** Obligations past due with nothing accepted, one alert per agency, dataset and period. */
async function overdue(deps: RuleDeps, now: Date): Promise<Firing[]> {
  const items = await listObligations(deps.wh, 'overdue', { agency: '', days: 0, day: vietnamDay(now) })
  const groups = new Map<string, typeof items>()
  for (const it of items) {
    const key = `overdue:${it.agency}:${it.dataset}:${it.period}`
    groups.set(key, [...(groups.get(key) ?? []), it])
  }
  return [...groups].map(([key, list]) => {
    const first = list[0]!
    const what = first.indicator_code ? `${list.length} chỉ tiêu KT-XH` : first.dataset_name || first.dataset
    const whatEn = first.indicator_code ? `${list.length} KT-XH indicator${list.length > 1 ? 's' : ''}` : first.dataset
    return {
      key,
      rule: 'dataset_overdue' as const,
      severity: 'warning' as const,
      agency: first.agency,
      title: {
        // Days as the province writes them, periods in words: a person reads these titles.
        vi: `Quá hạn nộp: ${what}, kỳ ${periodWords(first.period, 'vi').toLowerCase().replace(/^quý/, 'Quý')} — ${first.agency_name || first.agency} (hạn ${dayText(first.due_on)})`,
        en: `Overdue: ${whatEn}, period ${periodWords(first.period, 'en')} — ${first.agency_name || first.agency} (due ${dayText(first.due_on)})`,
      },
      detail: {
        agency: first.agency,
        dataset: first.dataset,
        period: first.period,
        due_on: first.due_on,
        status: [...new Set(list.map((i) => i.status))],
        indicators: list.flatMap((i) => (i.indicator_code ? [i.indicator_code] : [])),
      },
    }
  })
}

/** Refusals by the access gate and failed sign-ins, when either passes its threshold in the window. */
async function spikes(deps: RuleDeps, now: Date): Promise<Firing[]> {
  const { windowMinutes, refusals, failedSignIns } = deps.thresholds
  const since = warehouseTime(new Date(now.getTime() - windowMinutes * 60_000))
  const [row] = await queryRows<{ signins: string; refused: string; signin_accounts: string[]; refused_accounts: string[] }>(
    deps.wh.client,
    `SELECT toString(countIf(endpoint = 'login')) AS signins, toString(countIf(endpoint != 'login')) AS refused,
            topKIf(5)(account, endpoint = 'login') AS signin_accounts, topKIf(5)(account, endpoint != 'login') AS refused_accounts
     FROM meta.audit WHERE outcome = 'denied' AND at >= toDateTime64({since:String}, 3, 'UTC')`,
    { since },
  )
  const out: Firing[] = []
  const window = { window_minutes: windowMinutes }
  if (Number(row!.refused) >= refusals) {
    out.push({
      key: 'spike:refusals',
      rule: 'refusals_spike',
      severity: 'warning',
      agency: '',
      title: { vi: `Nhiều yêu cầu bị từ chối: ${row!.refused} trong ${windowMinutes} phút`, en: `Many refused requests: ${row!.refused} in ${windowMinutes} min` },
      detail: { ...window, refused: Number(row!.refused), threshold: refusals, accounts: row!.refused_accounts },
    })
  }
  if (Number(row!.signins) >= failedSignIns) {
    out.push({
      key: 'spike:signins',
      rule: 'failed_signins_spike',
      severity: 'critical',
      agency: '',
      title: { vi: `Nhiều lần đăng nhập sai: ${row!.signins} trong ${windowMinutes} phút`, en: `Many failed sign-ins: ${row!.signins} in ${windowMinutes} min` },
      detail: { ...window, failed: Number(row!.signins), threshold: failedSignIns, accounts: row!.signin_accounts },
    })
  }
  return out
}

const CHECKS: { rules: AlertRule[]; find: (deps: RuleDeps, now: Date) => Promise<Firing[]> }[] = [
  { rules: ['connector_failed', 'backup_failed', 'audit_chain_broken', 'job_failed'], find: failedJobs },
  { rules: ['transform_failed'], find: failedModels },
  { rules: ['data_test_failed'], find: failedTests },
  { rules: ['dataset_overdue'], find: overdue },
  { rules: ['refusals_spike', 'failed_signins_spike'], find: spikes },
]

/**
 * Everything the rules find wrong now, and the rules that could not be checked (e.g. the marts are
 * not built yet): their open alerts stay open rather than being taken as cleared.
 */
export async function firingNow(deps: RuleDeps, now: Date): Promise<{ firing: Firing[]; unchecked: { rules: AlertRule[]; error: Error }[] }> {
  const results = await Promise.allSettled(CHECKS.map((c) => c.find(deps, now)))
  return {
    firing: results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])),
    unchecked: results.flatMap((r, i) => (r.status === 'rejected' ? [{ rules: CHECKS[i]!.rules, error: r.reason as Error }] : [])),
  }
}
