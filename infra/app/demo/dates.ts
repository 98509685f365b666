const pad = (n: number) => String(n).padStart(2, '0')

/** dd/mm/yyyy, the way Vietnamese agencies write dates. */
export function ddmmyyyy(d: Date): string {
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000)
}
