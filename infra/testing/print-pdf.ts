import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { pathToFileURL } from 'node:url'

const run = promisify(execFile)

/** Debian's LibreOffice (`libreoffice-calc-nogui`) and poppler (`poppler-utils`), installed by .ci/run. */
export const SOFFICE = process.env.KHO_SOFFICE ?? '/usr/bin/soffice'

export interface Word {
  text: string
  xMin: number
  yMin: number
  xMax: number
  yMax: number
}

export interface PrintedPage {
  /** Points, as pdfinfo reports them: A4 landscape is 841.89 × 595.3. */
  width: number
  height: number
  /** Every word with its box, as poppler reads them. */
  words: Word[]
  text: string
}

/**
 * Prints a workbook the way a user does — LibreOffice Calc to PDF, each sheet with its own page
 * setup — and reads the pages back with poppler: their size and their text, block by block, so a
 * cell's wrapped text reads as one block while text that ran over its neighbour does not.
 */
export async function printToPdf(workbook: string): Promise<PrintedPage[]> {
  if (!fs.existsSync(SOFFICE)) throw new Error(`${SOFFICE} not found: install Debian's libreoffice-calc-nogui and poppler-utils`)
  const out = fs.mkdtempSync(path.join(path.dirname(workbook), 'pdf-'))
  // A profile of its own: two LibreOffice processes sharing one refuse to start.
  const profile = pathToFileURL(path.join(out, 'profile')).href
  await run(SOFFICE, [`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', out, workbook], { timeout: 120_000 })
  const pdf = path.join(out, path.basename(workbook).replace(/\.[^.]+$/, '.pdf'))
  const info = (await run('pdfinfo', ['-f', '1', '-l', '100000', pdf])).stdout
  const sizes = [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)/gm)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }))
  const html = (await run('pdftotext', ['-bbox', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout
  const pages = [...html.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) =>
    [...p[1]!.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((w) => ({
      text: unescape(w[5]!),
      xMin: Number(w[1]),
      yMin: Number(w[2]),
      xMax: Number(w[3]),
      yMax: Number(w[4]),
    })),
  )
  return sizes.map((s, i) => ({ ...s, words: pages[i] ?? [], text: (pages[i] ?? []).map((w) => w.text).join(' ') }))
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')

export const isA4Landscape = (p: PrintedPage) => Math.abs(p.width - 841.9) < 2 && Math.abs(p.height - 595.3) < 2

/**
 * Whether a phrase is printed whole on the page, as a cell shows it: word after word on a line, or
 * wrapped onto the next line below within the same column.
 */
export function printsWhole(page: PrintedPage, phrase: string): boolean {
  const want = phrase.split(/\s+/).filter(Boolean)
  const follows = (cur: Word, first: Word, next: Word) => {
    const lineHeight = cur.yMax - cur.yMin
    const sameLine = Math.abs(next.yMin - cur.yMin) < lineHeight * 0.3 && next.xMin >= cur.xMax - 0.5 && next.xMin - cur.xMax < lineHeight
    const nextLine = next.yMin > cur.yMin + lineHeight * 0.5 && next.yMin - cur.yMax < lineHeight * 0.8 && Math.abs(next.xMin - first.xMin) < 120
    return sameLine || nextLine
  }
  const from = (k: number, cur: Word, first: Word): boolean =>
    k === want.length || page.words.some((w) => w.text === want[k] && follows(cur, first, w) && from(k + 1, w, first))
  return page.words.some((w) => w.text === want[0] && from(1, w, w))
}

/** Pairs of words printed over each other: text that ran out of its cell into a neighbour's. */
export function overprinted(page: PrintedPage): [string, string][] {
  const out: [string, string][] = []
  const ws = page.words
  for (let i = 0; i < ws.length; i++)
    for (let j = i + 1; j < ws.length; j++) {
      const a = ws[i]!
      const b = ws[j]!
      const dx = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin)
      const dy = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin)
      if (dx > 1 && dy > 1.5) out.push([a.text, b.text])
    }
  return out
}
