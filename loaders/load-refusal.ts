/**
 * A delivery kho refuses as a whole (wrong encoding, missing required columns, unknown dataset…):
 * nothing from it becomes visible, and the agency is told why in Vietnamese and English.
 */
export class LoadRefusal extends Error {
  constructor(
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(`${vi} / ${en}`)
  }
}
