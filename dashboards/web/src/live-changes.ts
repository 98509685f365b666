import { useEffect, useState } from 'react'
import { session } from './api.ts'

/**
 * The views whose data changed, as the service pushes them (GET /api/live, server-sent events):
 * one stream per page, shared by every component that listens, read with fetch so that it carries
 * the session's token (EventSource cannot send a header), and opened again after a drop.
 */
type Listener = { views: string[]; changed: () => void; connected: (on: boolean) => void }
const listeners = new Set<Listener>()
let stream: AbortController | null = null
let connected = false

function setConnected(on: boolean) {
  connected = on
  for (const l of listeners) l.connected(on)
}

function dispatch(block: string) {
  const event = /^event: (.*)$/m.exec(block)?.[1]
  const data = /^data: (.*)$/m.exec(block)?.[1]
  if (event !== 'change' || !data) return
  const views = (JSON.parse(data) as { views: string[] }).views
  for (const l of listeners) if (l.views.some((v) => views.includes(v))) l.changed()
}

async function run(abort: AbortController) {
  let delay = 1000
  while (!abort.signal.aborted) {
    try {
      const token = session.token()
      const res = await fetch('/api/live', { headers: { accept: 'text/event-stream', ...(token ? { authorization: token } : {}) }, signal: abort.signal })
      if (!res.ok || !res.body) throw new Error(`${res.status}`)
      setConnected(true)
      delay = 1000
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          dispatch(buffer.slice(0, at))
          buffer = buffer.slice(at + 2)
        }
      }
    } catch {
      // Dropped or refused: try again, waiting longer each time (at most 30 s).
    }
    setConnected(false)
    if (abort.signal.aborted) break
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(delay * 2, 30_000)
  }
}

/**
 * A number that grows each time one of the views changes (put it among an effect's dependencies
 * to load again), and whether the stream is up (when it is not, a screen may fall back to polling).
 */
export function useLiveChanges(views: string[]): { version: number; connected: boolean } {
  const [version, setVersion] = useState(0)
  const [up, setUp] = useState(connected)
  const key = views.join(',')
  useEffect(() => {
    const listener: Listener = { views: key.split(','), changed: () => setVersion((v) => v + 1), connected: setUp }
    listeners.add(listener)
    if (!stream) void run((stream = new AbortController()))
    return () => {
      listeners.delete(listener)
      if (listeners.size === 0 && stream) {
        stream.abort()
        stream = null
      }
    }
  }, [key])
  return { version, connected: up }
}
