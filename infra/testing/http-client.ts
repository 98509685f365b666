/**
 * What tests ask a running service over real HTTP: a JSON call as a token, a Cube /load with an
 * optional declared purpose, and a sign-in. `base` is read at each call (a test may restart the
 * service on another port).
 */
export function httpClient(base: () => string) {
  async function call(method: string, path: string, auth?: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers }
    if (auth) h.authorization = `Bearer ${auth}`
    if (body !== undefined) h['content-type'] = 'application/json'
    const res = await fetch(`${base()}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json().catch(() => null)) as any }
  }
  return {
    call,
    /** POST /cubejs-api/v1/load as `auth` (or anonymous), with X-Kho-Purpose when given. */
    load: (query: unknown, auth?: string, purpose?: string) => call('POST', '/cubejs-api/v1/load', auth, { query }, purpose ? { 'x-kho-purpose': encodeURIComponent(purpose) } : {}),
    /** A file sent as multipart/form-data (field "file") as `auth`. */
    send: async (path: string, auth: string, name: string, bytes: Buffer) => {
      const form = new FormData()
      form.set('file', new Blob([bytes]), name)
      const res = await fetch(`${base()}${path}`, { method: 'POST', headers: { authorization: `Bearer ${auth}` }, body: form })
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.status, body: (await res.json().catch(() => null)) as any }
    },
    /** A session token for an account. */
    login: async (username: string, password: string): Promise<string> => {
      const r = await call('POST', '/api/auth/login', undefined, { username, password })
      if (r.status !== 200) throw new Error(`sign-in as ${username}: ${r.status}`)
      return r.body.token as string
    },
  }
}
