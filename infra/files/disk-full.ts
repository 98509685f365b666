/**
 * Whether an error is a full disk: Node's ENOSPC from a file write, or the engine's refusal to
 * reserve space for a part (NOT_ENOUGH_SPACE) or its write failing with errno 28. Such an error is
 * the operator's to fix, not the sender's, and is said as such (HTTP 507) instead of a 500.
 */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ENOSPC') return true
    const text = `${(e as { message?: unknown }).message ?? ''} ${(e as { type?: unknown }).type ?? ''}`
    // Code 243 is also the disk reserve of data tables (DATA_DISK_RESERVE_BYTES) being reached.
    if (/ENOSPC|NOT_ENOUGH_SPACE|No space left on device|Cannot reserve .*(space|bytes)|enough free space|Code: 243\b|errno:? 28\b/i.test(text)) return true
  }
  return false
}

/** What a person is told when the disk under `where` is full: nothing of the request was kept. */
export function diskFullMessage(where: string): { vi: string; en: string } {
  return {
    vi: `Ổ đĩa lưu dữ liệu của kho (${where}) đã đầy: yêu cầu chưa được thực hiện và không có gì được ghi dở. Hãy báo quản trị hệ thống giải phóng dung lượng rồi gửi lại.`,
    en: `The disk holding kho's data (${where}) is full: the request was not carried out and nothing was half-written. Ask the system administrator to free space, then send it again.`,
  }
}
