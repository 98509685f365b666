import nodemailer from 'nodemailer'

export interface MailMessage {
  to: string[]
  subject: string
  text: string
  html?: string
  attachments?: { filename: string; path: string }[]
}

export type SendMail = (message: MailMessage) => Promise<void>

/**
 * E-mail over SMTP when KHO_SMTP_URL is set (smtp://user:password@host:587, smtps://… for TLS);
 * null otherwise, and callers then only keep their files.
 */
export function smtpMailer(smtp: { url: string; from: string } | null): SendMail | null {
  if (!smtp) return null
  const transport = nodemailer.createTransport(smtp.url)
  return async (m) => {
    await transport.sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text, ...(m.html ? { html: m.html } : {}), attachments: m.attachments ?? [] })
  }
}
