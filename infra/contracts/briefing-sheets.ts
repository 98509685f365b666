/** Every kind of sheet a briefing may hold: the definitions (dashboards/briefings) build them, the briefings page names each. */
export const SHEET_KINDS = ['kpi_summary', 'sectors', 'communes', 'submissions', 'quality', 'usage', 'error_reports', 'sharing', 'catalog_proposals'] as const
export type SheetKind = (typeof SHEET_KINDS)[number]
