import net from 'node:net'

/** A minimal SMTP server on loopback that keeps the messages it is sent, for tests of e-mail. */
export async function smtpSink(): Promise<{ url: string; messages: string[]; close(): void }> {
  const messages: string[] = []
  const server = net.createServer((sock) => {
    let buffer = ''
    let body: string[] | null = null
    sock.write('220 kho-test ESMTP\r\n')
    sock.on('data', (chunk) => {
      buffer += chunk.toString('latin1')
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 2)
        if (body) {
          if (line === '.') {
            messages.push(body.join('\n'))
            body = null
            sock.write('250 queued\r\n')
          } else body.push(line)
          continue
        }
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'DATA') {
          body = []
          sock.write('354 go on\r\n')
        } else if (verb === 'QUIT') sock.end('221 bye\r\n')
        else sock.write('250 ok\r\n')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return { url: `smtp://127.0.0.1:${port}`, messages, close: () => server.close() }
}
