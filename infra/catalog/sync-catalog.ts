import { ensureRawTable } from './raw-table.ts'
import { allCommunes } from '../identifiers/admin-units.ts'
import type { Warehouse } from '../warehouse/client.ts'
import { currentTable } from '../warehouse/migrations.ts'
import { replaceRows } from '../warehouse/replace-rows.ts'
import type { Catalog } from './load-catalog.ts'
import { WorkingCalendar, type CalendarConfig } from '../time/working-days.ts'

export const CALENDAR_YEARS = [2015, 2035] as const

/** meta.calendar: each day of the years kho covers, worked or not, with a running working-day count. */
function calendarRows(config: CalendarConfig) {
  const cal = new WorkingCalendar(CALENDAR_YEARS[0], CALENDAR_YEARS[1], config)
  const rows = []
  let n = 0
  for (let d = new Date(Date.UTC(CALENDAR_YEARS[0], 0, 1)); d.getUTCFullYear() <= CALENDAR_YEARS[1]; d = new Date(d.getTime() + 86_400_000)) {
    const reason = cal.dayOffReason(d)
    if (reason === null) n++
    rows.push({ date: d.toISOString().slice(0, 10), is_working_day: reason === null, reason: reason ?? '', working_day_number: n })
  }
  return rows
}

export interface SyncResult {
  agencies: number
  datasets: number
  indicators: number
  adminUnits: number
}

/** Writes the validated catalogue into meta.* (each table replaced atomically) and creates raw tables. */
export async function syncCatalog(wh: Warehouse, catalog: Catalog): Promise<SyncResult> {
  await replaceRows(
    wh,
    currentTable('meta', 'agencies'),
    catalog.agencies.map((a) => ({
      code: a.code,
      name: a.name,
      kind: a.kind,
      parent: a.parent ?? '',
      commune_code: a.commune_code ?? '',
      contact: JSON.stringify(a.contact),
    })),
  )
  await replaceRows(
    wh,
    currentTable('meta', 'datasets'),
    catalog.datasets.map((d) => ({
      id: d.id,
      name: d.name,
      owner: d.owner,
      description: d.description,
      sharing_scope: d.sharing.scope,
      sharing_method: d.sharing.method,
      update_frequency: d.update_frequency,
      deadline_rule: JSON.stringify(d.deadline),
      format_standard: d.format_standard,
      consumers: d.sharing.consumers,
      personal_data: d.personal_data,
      reject_threshold: d.reject_threshold,
      definition: JSON.stringify(d),
    })),
  )
  await replaceRows(
    wh,
    currentTable('meta', 'dataset_columns'),
    catalog.datasets.flatMap((d) =>
      d.columns.map((c, position) => ({
        dataset: d.id,
        position,
        id: c.id,
        label: c.label,
        type: c.type,
        required: c.required,
        identifier: c.identifier ?? '',
        personal: c.personal,
        aliases: c.aliases,
        rules: JSON.stringify({ pattern: c.pattern, enum: c.enum, min: c.min, max: c.max }),
      })),
    ),
  )
  await replaceRows(wh, currentTable('meta', 'indicators'), [
    ...catalog.indicators.map((i) => ({
      code: i.code,
      name_vi: i.name_vi,
      name_en: i.name_en,
      unit: i.unit,
      frequency: i.frequency,
      owner: i.owner,
      aggregation: i.aggregation,
      numerator: i.numerator ?? '',
      denominator: i.denominator ?? '',
      multiplier: i.multiplier,
      offset: i.offset,
      level: i.level,
      sector: i.sector,
      deadline_rule: JSON.stringify(i.deadline),
    })),
    // Components (ratio operands such as forest area) are reported beside their indicator.
    ...catalog.components.map((c) => {
      const user = catalog.indicators.find((i) => i.numerator === c.code || i.denominator === c.code)!
      return {
        code: c.code,
        name_vi: c.name_vi,
        name_en: c.name_en,
        unit: c.unit,
        frequency: user.frequency,
        owner: user.owner,
        aggregation: 'component',
        numerator: '',
        denominator: '',
        multiplier: 1,
        offset: 0,
        level: user.level,
        sector: user.sector,
        deadline_rule: JSON.stringify(user.deadline),
      }
    }),
  ])
  const communes = allCommunes()
  await replaceRows(
    wh,
    currentTable('meta', 'admin_units'),
    communes.map((c) => ({
      province_code: c.provinceCode,
      province_name: c.provinceName,
      commune_code: c.code,
      commune_name: c.name,
      commune_type: c.type,
    })),
  )
  await replaceRows(
    wh,
    currentTable('meta', 'commune_crosswalk'),
    catalog.crosswalk.map((x) => ({ old_code: x.oldCode, old_name: x.oldName, new_code: x.newCode, effective_from: x.effectiveFrom, basis: x.basis })),
  )
  await replaceRows(wh, currentTable('meta', 'calendar'), calendarRows(catalog.calendar))
  for (const d of catalog.datasets) await ensureRawTable(wh, d)
  return {
    agencies: catalog.agencies.length,
    datasets: catalog.datasets.length,
    indicators: catalog.indicators.length,
    adminUnits: communes.length,
  }
}
