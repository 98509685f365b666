import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openTempWarehouse, type TempWarehouse } from '../testing/temp-warehouse.ts'
import { migrate } from '../warehouse/migrate.ts'
import { JobScheduler } from './job-scheduler.ts'

let wh: TempWarehouse
beforeAll(async () => {
  wh = openTempWarehouse()
  await migrate(wh)
})
afterAll(() => wh?.close())

/** A clock the test moves by hand. */
function clock(iso: string) {
  let t = new Date(iso)
  return { now: () => t, set: (next: string) => (t = new Date(next)) }
}

describe('the job scheduler', () => {
  it('fires at the scheduled time (Vietnam time), once, and records each run', async () => {
    const c = clock('2026-11-23T23:58:00Z') // 06:58 on 24/11 in Hà Nội
    const ran: string[] = []
    const jobs = new JobScheduler({ wh, now: c.now })
    jobs.add({ id: 'morning', title: { vi: 'morning', en: 'morning' }, schedule: '0 7 * * *', run: async (at) => (ran.push(at.toISOString()), `done ${at.toISOString()}`) })
    // First time here: the previous 07:00 (23/11) is recorded as skipped, not run.
    await jobs.check()
    expect(ran).toEqual([])
    await jobs.check()
    c.set('2026-11-24T00:00:20Z') // 07:00:20 on 24/11
    await jobs.check()
    await jobs.check()
    expect(ran).toEqual(['2026-11-24T00:00:00.000Z'])
    const history = await jobs.history('morning')
    expect(history.map((r) => [r.scheduled_for, r.trigger, r.status])).toEqual([
      ['2026-11-24 00:00:00.000', 'schedule', 'succeeded'],
      ['2026-11-23 00:00:00.000', 'schedule', 'skipped'],
    ])
    expect(history[0]!.output).toBe('done 2026-11-24T00:00:00.000Z')
  })

  it('catches up a run missed while down exactly once, even after several missed times', async () => {
    const c = clock('2026-11-02T01:00:00Z')
    const ran: string[] = []
    const first = new JobScheduler({ wh, now: c.now })
    first.add({ id: 'weekly', title: { vi: 'weekly', en: 'weekly' }, schedule: '0 7 * * 1', run: async (at) => (ran.push(at.toISOString()), '') })
    await first.check() // first seen on Monday 02/11 08:00: this morning's time is the baseline
    c.set('2026-11-09T00:00:30Z')
    await first.check() // Monday 09/11 07:00: runs
    // Down for two weeks; a new process starts on Wednesday 25/11.
    c.set('2026-11-25T03:00:00Z')
    const second = new JobScheduler({ wh, now: c.now })
    second.add({ id: 'weekly', title: { vi: 'weekly', en: 'weekly' }, schedule: '0 7 * * 1', run: async (at) => (ran.push(at.toISOString()), '') })
    await second.check()
    await second.check()
    expect(ran).toEqual(['2026-11-09T00:00:00.000Z', '2026-11-23T00:00:00.000Z'])
    const [latest] = await second.history('weekly', 1)
    expect(latest!.trigger).toBe('catch_up')
  })

  it('does not start a job again while it runs, and records a failure with its message', async () => {
    const c = clock('2026-11-20T00:30:00Z')
    let release!: () => void
    let starts = 0
    const jobs = new JobScheduler({ wh, now: c.now })
    jobs.add({
      id: 'slow',
      title: { vi: 'slow', en: 'slow' },
      schedule: '0 7 * * *',
      run: async () => {
        starts++
        await new Promise<void>((r) => (release = r))
        throw new Error('SMTP từ chối')
      },
    })
    const a = jobs.run('slow')
    const b = jobs.run('slow')
    expect(b).toBe(a)
    // The job starts once its run is recorded: wait for that, not for a fixed time.
    await vi.waitFor(() => expect(starts).toBe(1), { timeout: 60_000 })
    release()
    const run = await a
    expect(starts).toBe(1)
    expect(run).toMatchObject({ status: 'failed', message: 'SMTP từ chối', trigger: 'manual' })
  })

  it('runs again a time whose run never finished (the process died)', async () => {
    const c = clock('2026-11-20T00:30:00Z')
    await wh.client.insert({
      table: 'meta.job_runs',
      format: 'JSONEachRow',
      values: [{ job: 'crashy', scheduled_for: Date.parse('2026-11-20T00:00:00Z'), trigger: 'schedule', status: 'started', started_at: Date.parse('2026-11-20T00:00:01Z') }],
    })
    let runs = 0
    const jobs = new JobScheduler({ wh, now: c.now })
    jobs.add({ id: 'crashy', title: { vi: 'crashy', en: 'crashy' }, schedule: '0 7 * * *', run: async () => String(++runs) })
    await jobs.check()
    expect(runs).toBe(1)
  })
})
