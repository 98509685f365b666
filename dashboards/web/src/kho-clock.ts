/**
 * kho's clock in the browser. The service's clock may be set to another day (KHO_NOW, to try
 * deadlines as of a day); every API answer carries it (CLOCK_HEADER), in milliseconds since the
 * epoch, and the pages take their "today" from it rather than from the computer they run on.
 */

let offsetMs = 0

/** Takes the clock from an answer's header (ignored when absent). */
export function learnClock(header: string | null): void {
  const at = Number(header)
  if (header && Number.isFinite(at)) offsetMs = at - Date.now()
}

/** Now, by kho's clock. */
export const khoNow = (): Date => new Date(Date.now() + offsetMs)

/** A Vietnam calendar day (YYYY-MM-DD) `days` from today, by kho's clock. */
export const khoDay = (days = 0): string => new Date(Date.now() + offsetMs + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10)
