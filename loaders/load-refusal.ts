import { Refusal } from '../infra/problem.ts'

/**
 * A delivery kho refuses as a whole (wrong encoding, missing required columns, unknown dataset…):
 * nothing from it becomes visible, and the agency is told why in Vietnamese and English.
 */
export class LoadRefusal extends Refusal {
  constructor(code: string, vi: string, en: string) {
    super(code, vi, en)
    this.message = `${vi} / ${en}`
  }
}
