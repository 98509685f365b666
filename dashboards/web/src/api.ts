import cube, { type CubeApi, type Query } from '@cubejs-client/core'
import { CLOCK_HEADER } from '../../../infra/contracts/clock.ts'
import { learnClock } from './kho-clock.ts'

const TOKEN = 'kho.token'

export const session = {
  token: () => sessionStorage.getItem(TOKEN) ?? '',
  set: (t: string) => sessionStorage.setItem(TOKEN, t),
  clear: () => sessionStorage.removeItem(TOKEN),
}

/** An API error with kho's message in both languages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly vi: string,
    readonly en: string,
  ) {
    super(vi)
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: unknown; message_en?: string } | null
  const e = body?.error
  if (e && typeof e === 'object') {
    const o = e as { message?: string; message_en?: string }
    return new ApiError(res.status, o.message ?? res.statusText, o.message_en ?? o.message ?? res.statusText)
  }
  if (typeof e === 'string') return new ApiError(res.status, e, body?.message_en ?? e)
  return new ApiError(res.status, `${res.status} ${res.statusText}`, `${res.status} ${res.statusText}`)
}

const authHeaders = (): Record<string, string> => (session.token() ? { authorization: session.token() } : {})

/** JSON from kho's API as the signed-in account; a 401 ends the session. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; form?: FormData } = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders() }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, {
    method: init.method ?? (init.body !== undefined || init.form ? 'POST' : 'GET'),
    headers,
    body: init.form ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  })
  learnClock(res.headers.get(CLOCK_HEADER))
  if (res.status === 401 && session.token()) {
    session.clear()
    window.dispatchEvent(new Event('kho:signed-out'))
  }
  if (!res.ok && !(res.status === 422 && init.form)) throw await errorOf(res)
  return (await res.json()) as T
}

/** A document (file, page) fetched as the signed-in account: GET, or POST with a JSON body. */
export async function fetchDocument(path: string, body?: unknown): Promise<Response> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw await errorOf(res)
  return res
}

/** Fetches a file as the signed-in account and hands it to the browser as a download. */
export async function download(path: string, fallbackName: string, body?: unknown): Promise<void> {
  const res = await fetchDocument(path, body)
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

let client: { token: string; api: CubeApi } | null = null

/** The Cube client (the same one any Cube front end uses) pointed at kho's Cube-compatible API. */
export function cubeApi(): CubeApi {
  const token = session.token()
  if (!client || client.token !== token) client = { token, api: cube(token, { apiUrl: '/cubejs-api/v1' }) }
  return client.api
}

export type Row = Record<string, string | number | null>

/** A cell of a Row as a number, or null when empty. */
export const n = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v))

/** The Cube client's error as kho's: the API's reason in both languages. */
export function cubeError(err: unknown): ApiError {
  const e = err as { response?: { error?: string; message_en?: string }; message?: string; status?: number }
  const vi = e.response?.error ?? e.message ?? 'Lỗi truy vấn'
  return new ApiError(e.status ?? 400, vi, e.response?.message_en ?? vi)
}

/** Rows of a Cube query, as the API returns them (member name → value). */
export async function loadRows(query: Query): Promise<Row[]> {
  try {
    const rs = await cubeApi().load(query)
    return rs.rawData() as Row[]
  } catch (err) {
    throw cubeError(err)
  }
}
