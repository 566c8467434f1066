import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccountsService } from '../../accounts/accounts.service';
import { EventLog } from '../../events/event-log';
import { PaymentLookup } from '../../payments/payment-lookup.port';
import { addDays, localDateInZone } from '../../billing-calc/calendar';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { disputeOpened, disputeWon } from '../core/posting-rules';
import { disputeFee } from '../core/processing-plan';
import { DISPUTE_REASONS, DISPUTE_RESPONSE_DAYS } from '../core/sandbox-disputes';
import { MerchantEntry, postEntries } from '../journal';
import { DisputeRow } from '../ledger.entities';
import { disputeView } from '../views';
import { recordObjectEvents } from '../ledger-events';
import { ProcessingPlansService } from '../processing-plans.service';
import { DisputeChange, DisputeObservers } from './dispute-observers';

export const MAX_ATTACHMENT_BYTES = 512 * 1024;
const CONTENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain'];

interface Due {
  merchant_id: string;
  payment_id: string;
  currency: string;
  amount: string;
  reason_disputed_code: number;
}

/**
 * Disputes (chargebacks) of settled payments: raised by the sandbox network, answered by
 * the merchant with evidence (notes, files), won or lost. The ledger moves with each step
 * in the same transaction, and DisputeObservers (billing) hear of them.
 */
@Injectable()
export class DisputesService {
  private readonly logger = new Logger(DisputesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: ProcessingPlansService,
    private readonly accounts: AccountsService,
    private readonly observers: DisputeObservers,
    private readonly eventLog: EventLog,
    private readonly payments: PaymentLookup,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Raises every sandbox dispute whose day has come (of one merchant, or all). */
  async raiseDue(merchantId: string | null = null): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const due: Due[] = (
        await em.query(
          `DELETE FROM sandbox_dispute_schedule
            WHERE raise_at <= $1 AND ($2::text IS NULL OR merchant_id = $2)
            RETURNING merchant_id, payment_id, currency, amount, reason_disputed_code`,
          [now, merchantId],
        )
      )[0] as Due[];
      if (due.length === 0) return 0;
      const merchants = [...new Set(due.map((d) => d.merchant_id))];
      const [plans, zones] = await Promise.all([
        this.plans.plansOf(em, merchants),
        this.accounts.timeZonesOf(merchants),
      ]);
      // A payment intent's payment is the gateway transaction: the dispute names both.
      const intents = await this.payments.byTransactionIds(
        em,
        due.map((d) => d.payment_id),
      );
      const rows = due.map((d) => {
        const today = localDateInZone(now, zones.get(d.merchant_id) ?? 'UTC');
        return {
          id: newId(),
          merchantId: d.merchant_id,
          paymentId: d.payment_id,
          currency: d.currency,
          amount: Number(d.amount),
          fee: disputeFee(plans.get(d.merchant_id)!),
          code: d.reason_disputed_code,
          reason: DISPUTE_REASONS.get(d.reason_disputed_code) ?? 'other',
          date: today,
          dueDate: addDays(today, DISPUTE_RESPONSE_DAYS),
        };
      });
      const inserted: { id: string }[] = await em.query(
        `INSERT INTO disputes (id, merchant_id, payment_id, currency, amount, fee, status, reason_disputed_code,
                               reason_disputed, dispute_date, response_due_date, reference_meta, created_at, updated_at)
         SELECT id, m, p, c, a, f, 'new', r, rt, d::date, dd::date, rm, $11, $11
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[],
                       $8::text[], $9::text[], $10::text[], $12::jsonb[]) AS x(id, m, p, c, a, f, r, rt, d, dd, rm)
         ON CONFLICT (merchant_id, payment_id) DO NOTHING RETURNING id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.merchantId),
          rows.map((r) => r.paymentId),
          rows.map((r) => r.currency),
          rows.map((r) => String(r.amount)),
          rows.map((r) => String(r.fee)),
          rows.map((r) => r.code),
          rows.map((r) => r.reason),
          rows.map((r) => r.date),
          rows.map((r) => r.dueDate),
          now,
          rows.map((r) => {
            const found = intents.get(r.paymentId);
            return JSON.stringify(
              found
                ? { payment_intent_id: found.paymentIntentId, intent_payment_id: found.paymentId }
                : {},
            );
          }),
        ],
      );
      const raised = new Set(inserted.map((r) => r.id));
      const opened = rows.filter((r) => raised.has(r.id));
      const drafts: MerchantEntry[] = opened.flatMap((r) =>
        disputeOpened({ disputeId: r.id, amount: r.amount, fee: r.fee }).map((e) => ({
          ...e,
          merchantId: r.merchantId,
          currency: r.currency,
        })),
      );
      await postEntries(em, now, drafts);
      await this.observers.notify(
        em,
        opened.map((r) => ({
          kind: 'opened' as const,
          merchantId: r.merchantId,
          disputeId: r.id,
          paymentId: r.paymentId,
          amountCents: r.amount,
          currency: r.currency,
          reasonCode: r.code,
          occurredAt: now,
        })),
      );
      await this.recordEvents(
        em,
        'dispute.created',
        opened.map((r) => r.id),
      );
      return opened.length;
    });
  }

  @Cron(CronExpression.EVERY_HOUR)
  async raiseOnSchedule(): Promise<void> {
    try {
      const n = await this.raiseDue(null);
      if (n > 0) this.logger.log({ disputes: n }, 'sandbox disputes raised');
    } catch (err) {
      this.logger.error({ err }, 'raising sandbox disputes failed');
    }
  }

  /** The sandbox network decides: the merchant won (the amount comes back) or lost. */
  async resolve(merchantId: string, id: string, outcome: unknown): Promise<DisputeRow> {
    if (outcome !== 'won' && outcome !== 'lost')
      throw new ValidationError('outcome', 'must be "won" or "lost"');
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const d = await this.lock(em, merchantId, id);
      if (d.status === 'won' || d.status === 'lost') {
        throw new ConflictError(`dispute ${id} is already ${d.status}`);
      }
      const zones = await this.accounts.timeZonesOf([merchantId]);
      d.status = outcome;
      d.closedDate = localDateInZone(now, zones.get(merchantId) ?? 'UTC');
      d.updatedAt = now;
      await em.save(d);
      if (outcome === 'won') {
        await postEntries(
          em,
          now,
          disputeWon({ disputeId: d.id, amount: d.amount }).map((e) => ({
            ...e,
            merchantId,
            currency: d.currency,
          })),
        );
      }
      const change: DisputeChange = {
        kind: outcome,
        merchantId,
        disputeId: d.id,
        paymentId: d.paymentId,
        amountCents: d.amount,
        currency: d.currency,
        reasonCode: d.reasonDisputedCode,
        occurredAt: now,
      };
      await this.observers.notify(em, [change]);
      // The outcome, then dispute.closed: one type for backends that only track open/closed.
      await this.recordEvents(em, `dispute.${outcome}`, [d.id]);
      await this.recordEvents(em, 'dispute.closed', [d.id]);
      return d;
    });
  }

  /** Evidence: a note. The merchant's first evidence puts the dispute under review. */
  async addNote(merchantId: string, id: string, body: unknown): Promise<void> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.note !== 'string' || b.note.trim() === '' || b.note.length > 5000) {
      throw new ValidationError('note', 'must be a text of 1 to 5000 characters');
    }
    const response = b.dispute_response;
    if (response !== undefined && (typeof response !== 'string' || response.length > 5000)) {
      throw new ValidationError('dispute_response', 'must be a text of at most 5000 characters');
    }
    const note = b.note;
    await this.withOpenDispute(merchantId, id, async (em, d, now) => {
      await em.query(
        `INSERT INTO dispute_notes (id, dispute_id, note, created_at) VALUES ($1, $2, $3, $4)`,
        [newId(), d.id, note, now],
      );
      if (typeof response === 'string') d.disputeResponse = response;
    });
  }

  /** Evidence: a file (base64 in JSON), at most MAX_ATTACHMENT_BYTES. */
  async addAttachment(merchantId: string, id: string, body: unknown): Promise<string> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.filename !== 'string' || !/^[\w .()-]{1,200}$/.test(b.filename)) {
      throw new ValidationError(
        'filename',
        'must be 1 to 200 letters, digits, spaces, ".", "-", "_", "(" or ")"',
      );
    }
    if (typeof b.content_type !== 'string' || !CONTENT_TYPES.includes(b.content_type)) {
      throw new ValidationError('content_type', `must be one of ${CONTENT_TYPES.join(', ')}`);
    }
    if (
      typeof b.content !== 'string' ||
      !/^[A-Za-z0-9+/]*={0,2}$/.test(b.content) ||
      b.content.length % 4 !== 0
    ) {
      throw new ValidationError('content', 'must be the file in base64');
    }
    const bytes = Buffer.from(b.content, 'base64');
    if (bytes.length === 0) throw new ValidationError('content', 'must not be empty');
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new ValidationError('content', `must be at most ${MAX_ATTACHMENT_BYTES} bytes`);
    }
    const attachmentId = newId();
    const filename = b.filename;
    const contentType = b.content_type;
    await this.withOpenDispute(merchantId, id, async (em, d, now) => {
      await em.query(
        `INSERT INTO dispute_attachments (id, dispute_id, filename, content_type, size, sha256, content, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          attachmentId,
          d.id,
          filename,
          contentType,
          bytes.length,
          createHash('sha256').update(bytes).digest('hex'),
          bytes,
          now,
        ],
      );
    });
    return attachmentId;
  }

  async attachment(
    merchantId: string,
    id: string,
    attachmentId: string,
  ): Promise<{ filename: string; contentType: string; content: Buffer }> {
    const rows: { filename: string; content_type: string; content: Buffer }[] =
      await this.dataSource.query(
        `SELECT a.filename, a.content_type, a.content FROM dispute_attachments a
         JOIN disputes d ON d.id = a.dispute_id
        WHERE d.merchant_id = $1 AND d.id = $2 AND a.id = $3`,
        [merchantId, id, attachmentId],
      );
    if (rows.length === 0) throw new NotFoundError('attachment', attachmentId);
    return {
      filename: rows[0].filename,
      contentType: rows[0].content_type,
      content: rows[0].content,
    };
  }

  async get(merchantId: string, id: string): Promise<DisputeRow> {
    const d = await this.dataSource.getRepository(DisputeRow).findOneBy({ merchantId, id });
    if (!d) throw new NotFoundError('dispute', id);
    return d;
  }

  /** Notes and attachment descriptions of many disputes, for their views. */
  async evidenceOf(
    ids: readonly string[],
    em: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, { notes: NoteView[]; attachments: AttachmentView[] }>> {
    const out = new Map(
      ids.map((id) => [id, { notes: [] as NoteView[], attachments: [] as AttachmentView[] }]),
    );
    if (ids.length === 0) return out;
    const [notes, files]: [
      { id: string; dispute_id: string; note: string; created_at: Date }[],
      {
        id: string;
        dispute_id: string;
        filename: string;
        content_type: string;
        size: number;
        sha256: string;
        created_at: Date;
      }[],
    ] = [
      await em.query(
        `SELECT id, dispute_id, note, created_at FROM dispute_notes WHERE dispute_id = ANY($1::text[]) ORDER BY created_at, id`,
        [ids],
      ),
      await em.query(
        `SELECT id, dispute_id, filename, content_type, size, sha256, created_at FROM dispute_attachments
          WHERE dispute_id = ANY($1::text[]) ORDER BY created_at, id`,
        [ids],
      ),
    ];
    for (const n of notes)
      out
        .get(n.dispute_id)!
        .notes.push({ id: n.id, note: n.note, created_at: n.created_at.toISOString() });
    for (const f of files) {
      out.get(f.dispute_id)!.attachments.push({
        id: f.id,
        filename: f.filename,
        content_type: f.content_type,
        size: f.size,
        sha256: f.sha256,
        created_at: f.created_at.toISOString(),
      });
    }
    return out;
  }

  private async withOpenDispute(
    merchantId: string,
    id: string,
    work: (em: EntityManager, d: DisputeRow, now: Date) => Promise<void>,
  ): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (em) => {
      const d = await this.lock(em, merchantId, id);
      if (d.status === 'won' || d.status === 'lost') {
        throw new ConflictError(`dispute ${id} is ${d.status}: evidence can no longer be added`);
      }
      await work(em, d, now);
      d.status = 'under_review';
      d.updatedAt = now;
      await em.save(d);
      await this.recordEvents(em, 'dispute.updated', [d.id]);
    });
  }

  /** Events carry the dispute as GET /v1/disputes/{id} shows it, read inside the transaction. */
  private async recordEvents(
    em: EntityManager,
    type: string,
    ids: readonly string[],
  ): Promise<void> {
    if (ids.length === 0) return;
    const rows = await em.getRepository(DisputeRow).findBy({ id: In([...ids]) });
    const evidence = await this.evidenceOf(ids, em);
    await recordObjectEvents(this.eventLog, em, type, 'dispute', rows, (d) =>
      disputeView(d, evidence.get(d.id)!),
    );
  }

  private async lock(em: EntityManager, merchantId: string, id: string): Promise<DisputeRow> {
    const d = await em
      .getRepository(DisputeRow)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
    if (!d) throw new NotFoundError('dispute', id);
    return d;
  }
}

export interface NoteView {
  id: string;
  note: string;
  created_at: string;
}

export interface AttachmentView {
  id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: string;
}
