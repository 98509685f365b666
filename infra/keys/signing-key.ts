import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * kho's own Ed25519 key for what it signs for others to check (the change feed's pages): kept in
 * the keys folder beside the keyring (0600, never in a backup), made the first time it is needed.
 * A public signature, not a shared secret: any receiver checks a page with the published public key,
 * and nothing a system holds lets it forge one.
 */
export class SigningKey {
  private constructor(private readonly key: KeyObject) {}

  static open(dir: string): SigningKey {
    const file = path.join(dir, 'signing-key.pem')
    if (!fs.existsSync(file)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      const { privateKey } = generateKeyPairSync('ed25519')
      try {
        fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
      } catch (err) {
        // Another process made it at the same moment: read theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
    return new SigningKey(createPrivateKey(fs.readFileSync(file)))
  }

  /** The signature of `body`, base64. */
  sign(body: Buffer | string): string {
    return sign(null, Buffer.from(body), this.key).toString('base64')
  }

  /** The public key as PEM (SPKI), for receivers to check with. */
  publicPem(): string {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString()
  }
}
