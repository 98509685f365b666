import fs from 'node:fs'
import path from 'node:path'
import { findSystem, issueSystemKey, registerSystem } from '../../access/system-keys.ts'
import type { Warehouse } from '../../warehouse/client.ts'
import { vietnamDay } from '../../time/periods.ts'
import { listRequests, newRequestId, REQUEST_DEFAULTS, writeRequest, type GrantRegistry } from '../../../semantic/sharing/grants.ts'
import * as clock from '../../time/clock.ts'
import type { KeptFiles } from '../../files/sealed-file.ts'
import { storeAttachment } from '../../../loaders/attachments.ts'

export const DEMO_SYSTEM = 'lgsp-thongke'

const DEMO_LETTER = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'

/**
 * Sharing in the demo province, so a newcomer sees it work: a consuming system registered for the
 * statistics office (its key written once to <home>/demo-system-key.txt, mode 0600), and a request
 * from the health department for enterprise data, its written request attached, awaiting the
 * finance department's and the operator's decisions.
 */
export async function ensureDemoSharing(wh: Warehouse, home: string, grants: GrantRegistry, attachments: KeptFiles): Promise<void> {
  if (!(await findSystem(wh, DEMO_SYSTEM))) {
    await registerSystem(wh, {
      id: DEMO_SYSTEM,
      name: 'Hệ thống thống kê (qua LGSP)',
      agency: 'TK_TINH',
      contact: 'lgsp@bacninh.gov.vn',
      views: ['enterprises', 'population', 'kt_xh'],
      addresses: [],
      expires_on: null,
    })
    const { key } = await issueSystemKey(wh, DEMO_SYSTEM)
    fs.mkdirSync(home, { recursive: true })
    fs.writeFileSync(path.join(home, 'demo-system-key.txt'), `${key}\n`, { mode: 0o600 })
  }
  if ((await listRequests(wh)).length === 0) {
    const today = clock.today()
    const end = vietnamDay(new Date(clock.nowMs() + 180 * 86_400_000))
    const id = newRequestId(today)
    // The department's signed written request, as a scanned letter would arrive (a one-page PDF).
    const file = path.join(home, `${id}.pdf`)
    fs.writeFileSync(file, DEMO_LETTER)
    const letter = await storeAttachment(wh, attachments, { kind: 'sharing', loadId: '', requestId: id, dataset: 'doanh_nghiep', agency: 'SO_YT', name: 'cong-van-de-nghi-so-yt.pdf', file, uploadedBy: 'canbo.soyt' })
    fs.rmSync(file, { force: true })
    await writeRequest(wh, {
      ...REQUEST_DEFAULTS,
      decisions: [],
      request_letter: letter.id,
      id,
      dataset: 'doanh_nghiep',
      requester: 'canbo.soyt',
      agency: 'SO_YT',
      views: ['enterprises'],
      members: [],
      purpose: 'Theo dõi cơ sở kinh doanh dược, thiết bị y tế trên địa bàn tỉnh',
      legal_basis: 'Quy chế chia sẻ dữ liệu của tỉnh, Điều 7',
      starts_on: today,
      ends_on: end,
      status: 'pending',
      granted_views: [],
      granted_members: [],
      decided_by: '',
      decision_note: '',
    })
    await grants.refresh()
  }
}
