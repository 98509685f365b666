import { useEffect, useState } from 'react'
import { api, session } from './api.ts'
import type { AgencySummary, DeadlineAnswer, IndicatorAnswer } from '../../../infra/contracts/catalog.ts'

let indicators: Promise<Map<string, IndicatorAnswer>> | null = null

/** The indicator dictionary, fetched once per page load. */
export function indicatorMap(): Promise<Map<string, IndicatorAnswer>> {
  indicators ??= api<IndicatorAnswer[]>('/api/catalog/indicators').then((list) => new Map(list.map((i) => [i.code, i])))
  return indicators
}

export const indicatorName = (i: IndicatorAnswer | undefined, lang: 'vi' | 'en', code = '') => (i ? (lang === 'vi' ? i.name_vi : i.name_en) : code)

/** A commune of the province (GET /api/catalog/admin-units). */
export interface CommuneName {
  code: string
  name: string
}

let communes: Promise<CommuneName[]> | null = null

/** The province's communes, fetched once per page load: names for codes, codes for names. */
export function communeList(): Promise<CommuneName[]> {
  communes ??= api<CommuneName[]>('/api/catalog/admin-units')
  return communes
}

let agencies: Promise<Map<string, AgencySummary>> | null = null

/** The agencies of the catalogue, fetched once per page load: names to show beside codes. */
export function agencyMap(): Promise<Map<string, AgencySummary>> {
  agencies ??= api<AgencySummary[]>('/api/catalog/agencies').then((list) => new Map(list.map((a) => [a.code, a])))
  return agencies
}

/** "Sở Tài chính (SO_TC)": an agency by name, its code beside it; the code alone when unknown. */
export const agencyName = (agencies: Map<string, AgencySummary> | undefined, code: string) => {
  const a = agencies?.get(code)
  return a ? `${a.name} (${code})` : code
}

export interface DatasetName {
  id: string
  name: string
  name_en: string | null
  /** When a delivery is due (absent for a dataset only proposed so far). */
  deadline?: DeadlineAnswer
}

let datasets: Promise<Map<string, DatasetName>> | null = null

/**
 * The catalogue's datasets by id, fetched once per page load: names to show instead of ids. Signed
 * in, the datasets only proposed so far (not yet in the catalogue) are named too, from their proposals.
 */
export function datasetMap(): Promise<Map<string, DatasetName>> {
  const proposed = session.token()
    ? api<{ dataset: string; entry: { name: string; name_en?: string } }[]>('/api/catalog/proposals').catch(() => [])
    : Promise.resolve([])
  datasets ??= Promise.all([api<DatasetName[]>('/api/catalog/datasets'), proposed]).then(([list, proposals]) => {
    const byId = new Map<string, DatasetName>(proposals.map((p) => [p.dataset, { id: p.dataset, name: p.entry.name, name_en: p.entry.name_en ?? null }]))
    for (const d of list) byId.set(d.id, d)
    return byId
  })
  return datasets
}

/**
 * Names for the codes a page holds: agencies ("Sở Tài chính (SO_TC)") and datasets in the reader's
 * language (the id where the catalogue does not know it: a dataset since removed).
 */
export function useNames(lang: 'vi' | 'en') {
  const [maps, setMaps] = useState<{ agencies?: Map<string, AgencySummary>; datasets?: Map<string, DatasetName> }>({})
  useEffect(() => {
    let live = true
    void Promise.all([agencyMap(), datasetMap()]).then(([a, d]) => live && setMaps({ agencies: a, datasets: d }), () => undefined)
    return () => {
      live = false
    }
  }, [])
  const dataset = (id: string) => {
    const d = maps.datasets?.get(id)
    return d ? (lang === 'vi' ? d.name : (d.name_en ?? d.name)) : id
  }
  return {
    agency: (code: string) => (code ? agencyName(maps.agencies, code) : ''),
    dataset,
    datasets: (ids: readonly string[] | null | undefined) => (ids ?? []).map(dataset).join(', '),
    deadline: (id: string) => maps.datasets?.get(id)?.deadline,
  }
}
