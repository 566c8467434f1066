import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';

/** A message as the outbox hands it to a mailer. */
export interface MailMessage {
  /** The outbox id: names the file in file mode and is sent as a header for tracing. */
  id: string;
  from: string;
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
}

/** The outcome of a delivery: a reference to what was sent (SMTP Message-ID or file path). */
export interface Delivery {
  ref: string;
}

/** Sends one message; throws on failure. An error with `permanent: true` is not retried. */
export interface Mailer {
  readonly kind: 'smtp' | 'file';
  send(message: MailMessage): Promise<Delivery>;
  close(): void;
}

export const MAILER = Symbol('MAILER');

/** The default From when the merchant's own is not known; overridable with ?from= on SMTP_URL. */
export const DEFAULT_FROM_ADDRESS = 'no-reply@rebill.local';

export class PermanentMailError extends Error {
  readonly permanent = true;
}

/** SMTP_URL may carry `?from=billing@example.com`; nodemailer does not know that parameter. */
export function splitSmtpUrl(smtpUrl: string): { transportUrl: string; from: string | null } {
  const url = new URL(smtpUrl);
  const from = url.searchParams.get('from');
  url.searchParams.delete('from');
  return { transportUrl: url.toString(), from: from && from.trim() !== '' ? from.trim() : null };
}

function toNodemailer(message: MailMessage) {
  return {
    from: message.from,
    to: message.to,
    replyTo: message.replyTo ?? undefined,
    subject: message.subject,
    text: message.text,
    html: message.html ?? undefined,
    headers: { 'X-Rebill-Message-Id': message.id },
  };
}

/** Delivers through the SMTP server of SMTP_URL. */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(transportUrl: string) {
    const url = new URL(transportUrl);
    // Timeouts keep a hung server from holding a claimed message (and its row lock) for long.
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      secure: url.protocol === 'smtps:',
      auth:
        url.username === ''
          ? undefined
          : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(message: MailMessage): Promise<Delivery> {
    try {
      const info = await this.transport.sendMail(toNodemailer(message));
      return { ref: String(info.messageId ?? '') };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      // 5xx: the server refused the message for good (unknown mailbox, policy); retrying
      // would only repeat the refusal.
      if (typeof code === 'number' && code >= 500 && code < 600) {
        throw new PermanentMailError((err as Error).message);
      }
      throw err;
    }
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * Without SMTP_URL, each message is written to `<dataDir>/mail/` as an .eml file (opens in
 * any mail client) and, when it has one, its HTML part as an .html file (opens in a browser),
 * so a new installation can see what it would have sent.
 */
export class FileMailer implements Mailer {
  readonly kind = 'file' as const;
  private readonly transport: Transporter;

  constructor(private readonly directory: string) {
    this.transport = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      newline: 'unix',
    });
  }

  async send(message: MailMessage): Promise<Delivery> {
    const info = await this.transport.sendMail(toNodemailer(message));
    await mkdir(this.directory, { recursive: true });
    const base = path.join(this.directory, `${message.id}`);
    await writeFile(`${base}.eml`, info.message as Buffer);
    if (message.html !== null) await writeFile(`${base}.html`, message.html, 'utf8');
    return { ref: `${base}.eml` };
  }

  close(): void {
    this.transport.close();
  }
}
