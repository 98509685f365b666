import type { IssuedKey } from '../../../access/push-keys.ts'
import { withClient } from '../client.ts'
import { UsageError, type CommandRun } from '../command-kit.ts'

/** kho apikey … (see HELP in main.ts) */
export async function apikeyCommand(run: CommandRun): Promise<number> {
  const { config, values, positionals, out } = run
  const action = positionals[1]
  if (action === 'create' && values.agency) {
    const body = { agency: values.agency, label: values.label ?? '' }
    const r = await withClient(config, (client) => client.call<IssuedKey>('POST', '/api/admin/api-keys', body))
    out(r, () => console.log(`Khóa API cho ${r.agency} (mã ${r.keyId}); chỉ hiện một lần, hãy lưu lại:\n${r.key}`))
    return 0
  }
  if (action === 'revoke' && positionals[2]) {
    const keyId = positionals[2]
    const r = await withClient(config, (client) => client.call<{ revoked: boolean }>('DELETE', `/api/admin/api-keys/${encodeURIComponent(keyId)}`, undefined, [200, 404]))
    out(r, () => console.log(r.revoked ? `Đã thu hồi khóa ${keyId}` : `Không có khóa ${keyId}`))
    return r.revoked ? 0 : 1
  }
  throw new UsageError('Cách dùng: kho apikey create --agency <mã> [--label …] | kho apikey revoke <mã khóa>')
}
