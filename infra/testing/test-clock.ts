/**
 * The day the suite's expectations are written for: Wednesday 25 November 2026, 10:00 in Vietnam.
 * A working day after October's monthly deadline (15 days after the month: Sunday 15/11, so
 * Monday 16/11) and before November's, in the fourth quarter with the third's reports due
 * (30 days after the quarter: 30/10) — so the demo and the tests have reports on time, late,
 * overdue and coming due. Pinned so that the suite passes on any day it runs.
 */
export const TEST_NOW = new Date('2026-11-25T10:00:00+07:00')
