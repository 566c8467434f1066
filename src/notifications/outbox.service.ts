import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertMany } from '../platform/database/bulk-insert';
import { Clock, CLOCK } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';
import { OutboxEmail } from './outbox-email.entity';
import { MAIL_FROM } from './notifications.tokens';

export interface EmailToQueue {
  merchantId: string;
  kind: string;
  subjectId?: string | null;
  /** Display name for the From header (the merchant's company); the address is Rebill's. */
  fromName?: string | null;
  to: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
}

/** Quotes a display name for an address header; drops characters that would break it. */
function displayName(name: string): string {
  const clean = name.replace(/[\r\n"\\<>]/g, '').trim();
  return clean === '' ? '' : `"${clean}" `;
}

/**
 * Queues email. Callers pass their own transaction's EntityManager, so the message is
 * committed (or rolled back) with the change that caused it.
 */
@Injectable()
export class OutboxService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MAIL_FROM) private readonly fromAddress: string,
  ) {}

  async enqueue(em: EntityManager, email: EmailToQueue): Promise<OutboxEmail> {
    const [row] = await this.enqueueMany(em, [email]);
    return row;
  }

  /** Queues many emails with one multi-row insert, in the caller's transaction. */
  async enqueueMany(em: EntityManager, emails: readonly EmailToQueue[]): Promise<OutboxEmail[]> {
    if (emails.length === 0) return [];
    const now = this.clock.now();
    const rows = emails.map((email) =>
      em.getRepository(OutboxEmail).create({
        id: newId(),
        merchantId: email.merchantId,
        kind: email.kind,
        subjectId: email.subjectId ?? null,
        fromAddress: `${displayName(email.fromName ?? '')}<${this.fromAddress}>`,
        toAddress: email.to,
        replyTo: email.replyTo ?? null,
        subject: email.subject.replace(/[\r\n]+/g, ' '),
        textBody: email.text,
        htmlBody: email.html ?? null,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        deliveryRef: null,
        sentAt: null,
        createdAt: now,
        updatedAt: now,
      }),
    );
    await insertMany(em, OutboxEmail, rows);
    return rows;
  }
}
