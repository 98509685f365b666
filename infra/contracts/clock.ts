/**
 * The header every API answer carries with kho's clock, in milliseconds since the epoch: the
 * service's clock may be set to another day (KHO_NOW), and the pages take "today" from it.
 */
export const CLOCK_HEADER = 'x-kho-now'
