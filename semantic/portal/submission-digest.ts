import { dayText, periodWords, type Lang } from '../../infra/contracts/question-words.ts'
import fs from 'node:fs'
import path from 'node:path'
import type { SendMail } from '../../infra/files/mailer.ts'
import { queryRows, type Warehouse } from '../../infra/warehouse/client.ts'
import type { ObligationItem } from '../../infra/contracts/obligation.ts'
import { vietnamDay } from '../../infra/time/periods.ts'
import * as clock from '../../infra/time/clock.ts'

export type ObligationList = 'upcoming' | 'overdue' | 'late'

const WHERE: Record<ObligationList, string> = {
  // Not yet due and due within N days of the day (D-3 by default).
  upcoming: "s.status = 'pending' AND s.due_on BETWEEN {day:Date} AND {day:Date} + {days:UInt32}",
  // Past due with nothing accepted: never sent, or sent and refused.
  overdue: "s.status IN ('missing', 'rejected')",
  // Arrived late in the N days before the day.
  late: "s.status = 'late' AND toDate(s.received_at, 'Asia/Ho_Chi_Minh') BETWEEN {day:Date} - {days:UInt32} AND {day:Date}",
}

/** Obligations of one list, for one agency or all (''), judged on `day` (Vietnam date). */
export function listObligations(wh: Warehouse, list: ObligationList, opts: { agency: string; days: number; day: string }): Promise<ObligationItem[]> {
  return queryRows<ObligationItem>(
    wh.client,
    `SELECT s.agency AS agency, a.name AS agency_name, s.dataset AS dataset, d.name AS dataset_name,
            s.indicator_code AS indicator_code, i.name_vi AS indicator_name,
            s.period AS period, p.label_vi AS period_label, toString(s.due_on) AS due_on, s.status AS status,
            dateDiff('day', {day:Date}, s.due_on) AS days_left, s.days_late AS days_late
     FROM marts.fct_submission AS s
     LEFT JOIN marts.dim_agency AS a ON a.code = s.agency
     LEFT JOIN meta.datasets AS d ON d.id = s.dataset
     LEFT JOIN marts.dim_indicator AS i ON i.code = s.indicator_code
     LEFT JOIN marts.dim_period AS p ON p.period = s.period
     WHERE ${WHERE[list]} AND (empty({agency:String}) OR s.agency = {agency:String})
     ORDER BY s.due_on, s.agency, s.dataset, s.indicator_code`,
    opts,
  )
}

export interface AgencyDigest {
  agency: string
  agency_name: string
  upcoming: ObligationItem[]
  overdue: ObligationItem[]
  late: ObligationItem[]
}

export interface Digest {
  day: string
  generated_at: string
  agencies: AgencyDigest[]
  totals: { upcoming: number; overdue: number; late: number; agencies: number }
}


/**
 * The daily digest: per agency, what falls due in the next three days, what is overdue and what
 * arrived late yesterday. Agencies with nothing to say are left out.
 */
export async function buildDigest(wh: Warehouse, opts: { day: string; agency?: string; now?: Date }): Promise<Digest> {
  const base = { agency: opts.agency ?? '', day: opts.day }
  const [upcoming, overdue, late] = await Promise.all([
    listObligations(wh, 'upcoming', { ...base, days: 3 }),
    listObligations(wh, 'overdue', { ...base, days: 0 }),
    listObligations(wh, 'late', { ...base, days: 1 }),
  ])
  const byAgency = new Map<string, AgencyDigest>()
  const entry = (r: ObligationItem) => {
    let a = byAgency.get(r.agency)
    if (!a) byAgency.set(r.agency, (a = { agency: r.agency, agency_name: r.agency_name, upcoming: [], overdue: [], late: [] }))
    return a
  }
  for (const r of upcoming) entry(r).upcoming.push(r)
  for (const r of overdue) entry(r).overdue.push(r)
  for (const r of late) entry(r).late.push(r)
  const agencies = [...byAgency.values()].sort((x, y) => y.overdue.length - x.overdue.length || x.agency.localeCompare(y.agency))
  return {
    day: opts.day,
    generated_at: (opts.now ?? clock.now()).toISOString(),
    agencies,
    totals: { upcoming: upcoming.length, overdue: overdue.length, late: late.length, agencies: agencies.length },
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const viDate = dayText

/** The digest's words in each language; agencies', indicators' and datasets' names stay as the catalogue writes them. */
const WORDS = {
  vi: {
    title: (day: string) => `Tình hình nộp báo cáo ngày ${day}`,
    dataset: 'Bộ dữ liệu',
    head: ['Chỉ tiêu / dữ liệu', 'Kỳ', 'Hạn nộp', 'Ghi chú'],
    overdue: 'Quá hạn chưa nộp',
    upcoming: 'Sắp đến hạn',
    late: 'Nộp trễ hôm qua',
    refused: 'Đã gửi nhưng bị từ chối',
    missing: 'Chưa nộp',
    today: 'Hạn hôm nay',
    left: (n: number) => `Còn ${n} ngày`,
    lateBy: (n: number) => `Trễ ${n} ngày làm việc`,
    totals: (t: Digest['totals']) =>
      `${t.overdue.toLocaleString('vi-VN')} nghĩa vụ quá hạn, ${t.upcoming.toLocaleString('vi-VN')} sắp đến hạn trong 3 ngày, ${t.late.toLocaleString('vi-VN')} nộp trễ hôm qua — ${t.agencies.toLocaleString('vi-VN')} cơ quan.`,
    nothing: 'Không có nghĩa vụ nào cần nhắc.',
  },
  en: {
    title: (day: string) => `Reporting on ${day}`,
    dataset: 'Dataset',
    head: ['Indicator / data', 'Period', 'Due', 'Note'],
    overdue: 'Overdue, not received',
    upcoming: 'Due soon',
    late: 'Sent late yesterday',
    refused: 'Sent but refused',
    missing: 'Not received',
    today: 'Due today',
    left: (n: number) => `${n} ${n === 1 ? 'day' : 'days'} left`,
    lateBy: (n: number) => `${n} working ${n === 1 ? 'day' : 'days'} late`,
    totals: (t: Digest['totals']) =>
      `${t.overdue.toLocaleString('en-GB')} overdue, ${t.upcoming.toLocaleString('en-GB')} due in the next 3 days, ${t.late.toLocaleString('en-GB')} sent late yesterday — ${t.agencies.toLocaleString('en-GB')} ${t.agencies === 1 ? 'agency' : 'agencies'}.`,
    nothing: 'Nothing to remind anyone of.',
  },
} as const

/** What an obligation is about: its label ("ENT_NEW — ", "Bộ dữ liệu: ") and its name as the catalogue writes it. */
const subjectOf = (r: ObligationItem, lang: Lang): [string, string] =>
  r.indicator_code ? [`${r.indicator_code} — `, r.indicator_name] : [`${WORDS[lang].dataset}: `, r.dataset_name || r.dataset]
/** The subject on the page: the name marked Vietnamese, whatever the page's language. */
const subject = (r: ObligationItem, lang: Lang) => {
  const [label, name] = subjectOf(r, lang)
  return `${esc(label)}<span lang="vi">${esc(name)}</span>`
}

function table(lang: Lang, title: string, rows: ObligationItem[], note: (r: ObligationItem) => string): string {
  if (rows.length === 0) return ''
  const body = rows.map((r) => `<tr><td>${subject(r, lang)}</td><td>${esc(periodWords(r.period, lang))}</td><td>${viDate(r.due_on)}</td><td>${esc(note(r))}</td></tr>`).join('')
  return `<h3>${esc(title)} (${rows.length})</h3><table><thead><tr>${WORDS[lang].head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`
}

/** The digest as a self-contained HTML page in Vietnamese (or English), to open or send by e-mail. */
export function digestHtml(d: Digest, lang: Lang = 'vi'): string {
  const w = WORDS[lang]
  const sections = d.agencies
    .map(
      (a) => `<section><h2 lang="vi">${esc(a.agency_name || a.agency)}</h2>
${table(lang, w.overdue, a.overdue, (r) => (r.status === 'rejected' ? w.refused : w.missing))}
${table(lang, w.upcoming, a.upcoming, (r) => (r.days_left === 0 ? w.today : w.left(r.days_left)))}
${table(lang, w.late, a.late, (r) => w.lateBy(r.days_late))}</section>`,
    )
    .join('\n')
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${w.title(viDate(d.day))}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#1b2733}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #c8d0d8;padding:4px 8px;text-align:left}th{background:#eef2f6}h2{border-bottom:2px solid #a51c1c;padding-bottom:4px}</style>
</head><body><h1>${w.title(viDate(d.day))}</h1>
<p>${w.totals(d.totals)}</p>
${sections || `<p>${w.nothing}</p>`}
</body></html>`
}

/**
 * Writes the day's digest into `dir` ($KHO_HOME/digests) as HTML and JSON and, when SMTP is set, e-mails each
 * agency with a contact address its own part; returns what was done.
 */
export async function writeDigest(wh: Warehouse, dir: string, at: Date, mail?: { send: SendMail; emailOf: (agency: string) => string | undefined }): Promise<string> {
  const digest = await buildDigest(wh, { day: vietnamDay(at), now: at })
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${digest.day}.html`)
  fs.writeFileSync(path.join(dir, `${digest.day}.json`), JSON.stringify(digest, null, 2))
  fs.writeFileSync(file, digestHtml(digest))
  let sent = 0
  for (const a of mail ? digest.agencies : []) {
    const to = mail!.emailOf(a.agency)
    if (!to || a.overdue.length + a.upcoming.length === 0) continue
    const own: Digest = { ...digest, agencies: [a], totals: { upcoming: a.upcoming.length, overdue: a.overdue.length, late: a.late.length, agencies: 1 } }
    await mail!.send({ to: [to], subject: `Tình hình nộp báo cáo ngày ${digest.day.split('-').reverse().join('/')} — ${a.agency_name}`, text: digestText(own), html: digestHtml(own) })
    sent++
  }
  return mail ? `${file} (e-mail: ${sent})` : file
}

/** The digest as plain text, for mail readers that show no HTML. */
export function digestText(d: Digest): string {
  const line = (r: ObligationItem) => `  - ${subjectOf(r, 'vi').join('')}, ${r.period_label || r.period}, hạn ${viDate(r.due_on)}`
  return d.agencies
    .map((a) => [a.agency_name || a.agency, ...(a.overdue.length ? ['Quá hạn chưa nộp:', ...a.overdue.map(line)] : []), ...(a.upcoming.length ? ['Sắp đến hạn:', ...a.upcoming.map(line)] : [])].join('\n'))
    .join('\n\n')
}
