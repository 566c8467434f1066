import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { insertMany } from '../platform/database/bulk-insert';
import type { RecurringChargeLine } from '../billing-calc';
import { BillingSchedule, LocalDate, nextBillDate } from '../billing-calc/calendar';
import type { Actor } from '../plans/actors';
import { billingAmount, byKind } from '../plans/adjustments';
import { Clock, CLOCK } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';
import { basePrice } from './subscription-price';
import { storedSchedule } from './subscription-schedule';
import { SubscriptionStatus, transitionRefusal } from './subscription-status';
import {
  Subscription,
  SubscriptionAdjustment,
  SubscriptionEvent,
  SubscriptionPendingItem,
} from './subscription.entity';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Which subscriptions are due as of a date. The billing side names the subscriptions its own
 * tables make due (a retry due, an attempt left unsettled); the ledger adds those whose next
 * bill date has come. The one definition of "due", for the run, the dry run, the CLI's count
 * and the metrics (docs/billing-run.md).
 */
export interface DueQuery {
  asOf: LocalDate;
  merchantId: string | null;
  /** Subscriptions with an open cycle whose retry is due by `asOf`: due while active or past due. */
  retryDue: readonly string[];
  /** Subscriptions with a charge attempt whose outcome is not recorded: due whatever their status. */
  unsettled: readonly string[];
  /** Only these subscriptions (ending a trial bills one at once); all when absent. */
  only?: readonly string[] | null;
}

/** A subscription as the billing run reads it: its state and what its next billing charges. */
export interface BillingSubscription {
  id: string;
  merchantId: string;
  customerId: string;
  status: SubscriptionStatus;
  nextBillDate: LocalDate;
  billingCount: number;
  currency: string;
  processorId: string | null;
  paymentMethodId: string | null;
  paymentMethodType: 'card' | 'ach' | null;
  schedule: BillingSchedule;
  /** Whether recording the next billing reaches a finite duration. */
  completesOnNextBilling: boolean;
  /** What billing number billingCount + 1 charges: recurring lines, before any fee program. */
  nextCharge: { lines: RecurringChargeLine[]; total: number };
  /** Prorated charges a change left for the next cycle (docs/proration.md), not yet billed. */
  pendingItems: PendingItem[];
}

/** A prorated charge waiting for the next cycle's invoice. */
export interface PendingItem {
  id: string;
  amount: number;
  name: string;
  description: string;
  periodStart: LocalDate;
  periodEnd: LocalDate;
}

/** A trial the notice sweep considers. */
export interface RunningTrialRow {
  id: string;
  merchantId: string;
  trialStart: LocalDate;
  trialEnd: LocalDate;
}

/** A change to a subscription's ledger, applied with its event. */
export type LedgerChange =
  /** Billed for its next bill date: billing_count + 1, the next date of the schedule, completion. */
  | { kind: 'billed'; subscriptionId: string; billDate: LocalDate }
  /** A status change (past due, cancelled, paused, active again after a payment). */
  | { kind: 'status'; subscriptionId: string; to: SubscriptionStatus; reason: string }
  /** Missed dates passed over (catch_up "latest"): the next bill date jumps to `to`. */
  /** Something billing records on the subscription without changing it (a disputed payment). */
  | { kind: 'noted'; subscriptionId: string; detail: Record<string, unknown> }
  | {
      kind: 'skipped';
      subscriptionId: string;
      skipped: LocalDate[];
      to: LocalDate;
      reason: string;
    };

export interface LedgerResult {
  /** Subscriptions that completed their duration with these changes. */
  completed: Set<string>;
}

/**
 * The subscription ledger, for the billing domain: the only way billing reads and changes
 * subscriptions. Every change is applied with its event, in the caller's transaction, for a
 * whole batch in a constant number of statements. (Billing events for webhooks hook in here.)
 */
@Injectable()
export class SubscriptionLedger {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly subscriptions: SubscriptionsService,
  ) {}

  private static readonly DUE = `s.deleted_at IS NULL
      AND ($2::text IS NULL OR s.merchant_id = $2)
      AND ($5::text[] IS NULL OR s.id = ANY($5::text[]))
      AND ((s.status IN ('active', 'trialing') AND s.next_bill_date <= $1)
        OR (s.status IN ('active', 'past_due') AND s.id = ANY($3::text[]))
        OR s.id = ANY($4::text[]))`;

  private dueParams(q: DueQuery): unknown[] {
    return [q.asOf, q.merchantId, q.retryDue, q.unsettled, q.only ?? null];
  }

  /**
   * Claims up to `limit` due subscriptions, skipping rows another worker holds (FOR UPDATE
   * SKIP LOCKED) and those in `exclude`. The row locks last until the caller's transaction ends.
   */
  async claimDue(
    em: EntityManager,
    q: DueQuery,
    limit: number,
    exclude: readonly string[],
  ): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `SELECT s.id FROM subscriptions s
        WHERE ${SubscriptionLedger.DUE} AND s.id <> ALL($6::text[])
        LIMIT $7
        FOR UPDATE OF s SKIP LOCKED`,
      [...this.dueParams(q), exclude, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The due subscriptions' ids, in id order (the dry run). */
  async dueIds(em: EntityManager, q: DueQuery): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `SELECT s.id FROM subscriptions s WHERE ${SubscriptionLedger.DUE} ORDER BY s.id`,
      this.dueParams(q),
    );
    return rows.map((r) => r.id);
  }

  async countDue(em: EntityManager, q: DueQuery): Promise<number> {
    const [{ n }]: { n: number }[] = await em.query(
      `SELECT count(*)::int AS n FROM subscriptions s WHERE ${SubscriptionLedger.DUE}`,
      this.dueParams(q),
    );
    return n;
  }

  /** Whether the merchant has this (not deleted) subscription. */
  async exists(em: EntityManager, merchantId: string, subscriptionId: string): Promise<boolean> {
    const sub = await em.getRepository(Subscription).findOneBy({ id: subscriptionId, merchantId });
    return sub !== null && sub.deletedAt === null;
  }

  /**
   * The batch's subscriptions (not deleted), with what their next billing charges: two
   * queries whatever the batch size. `lock` holds the rows until the transaction ends.
   */
  async loadForBilling(
    em: EntityManager,
    ids: readonly string[],
    options: { lock: boolean },
  ): Promise<BillingSubscription[]> {
    if (ids.length === 0) return [];
    const query = em
      .getRepository(Subscription)
      .createQueryBuilder('s')
      .where('s.id = ANY(:ids)', { ids: [...new Set(ids)] })
      .orderBy('s.id');
    if (options.lock) query.setLock('pessimistic_write');
    const subs = await query.getMany();
    const live = subs.filter((s) => s.deletedAt === null);
    const adjustments = await em
      .getRepository(SubscriptionAdjustment)
      .createQueryBuilder('a')
      .where('a.subscription_id = ANY(:ids)', { ids: live.map((s) => s.id) })
      .orderBy('a.position')
      .getMany();
    const pending = await em
      .getRepository(SubscriptionPendingItem)
      .createQueryBuilder('p')
      .where('p.subscription_id = ANY(:ids) AND p.cycle_id IS NULL', {
        ids: live.map((s) => s.id),
      })
      .orderBy('p.created_at')
      .addOrderBy('p.id')
      .getMany();
    const pendingOf = new Map<string, PendingItem[]>();
    for (const p of pending) {
      const list = pendingOf.get(p.subscriptionId) ?? [];
      list.push({
        id: p.id,
        amount: p.amount,
        name: p.name,
        description: p.description,
        periodStart: p.periodStart,
        periodEnd: p.periodEnd,
      });
      pendingOf.set(p.subscriptionId, list);
    }
    const bySub = new Map<string, SubscriptionAdjustment[]>();
    for (const a of adjustments) {
      const list = bySub.get(a.subscriptionId) ?? [];
      list.push(a);
      bySub.set(a.subscriptionId, list);
    }
    return live.map((s) => {
      const rows = (bySub.get(s.id) ?? []).map((r) => ({
        kind: r.kind,
        sourceId: r.sourceId,
        name: r.name,
        description: r.description,
        amount: r.amount,
        percentage: r.percentage,
        duration: r.duration,
        attachedAtBilling: r.attachedAtBilling,
      }));
      const charge = billingAmount(
        basePrice(s),
        byKind(rows, 'add_on'),
        byKind(rows, 'discount'),
        s.billingCount + 1,
      );
      return {
        id: s.id,
        merchantId: s.merchantId,
        customerId: s.customerId,
        status: s.status,
        nextBillDate: s.nextBillDate,
        billingCount: s.billingCount,
        currency: s.currency,
        processorId: s.processorId,
        paymentMethodId: s.paymentMethodId,
        paymentMethodType: s.paymentMethodType,
        schedule: storedSchedule(s),
        completesOnNextBilling: s.duration > 0 && s.billingCount + 1 >= s.duration,
        nextCharge: { lines: charge.lines, total: charge.total },
        pendingItems: pendingOf.get(s.id) ?? [],
      };
    });
  }

  /**
   * Applies the changes, in order, to the subscriptions as loaded (and locked) in this
   * transaction: one UPDATE and one multi-row INSERT of events for the whole batch. A change
   * the status table refuses (a subscription that completed or was cancelled meanwhile) is
   * skipped: billing never moves a final subscription.
   */
  async apply(
    em: EntityManager,
    loaded: readonly BillingSubscription[],
    changes: readonly LedgerChange[],
    actor: Actor = 'billing_run',
  ): Promise<LedgerResult> {
    const completed = new Set<string>();
    if (changes.length === 0) return { completed };
    const now = this.clock.now();
    const state = new Map(loaded.map((s) => [s.id, { ...s }]));
    const touched = new Set<string>();
    const events: SubscriptionEvent[] = [];
    const event = (
      s: BillingSubscription,
      type: SubscriptionEvent['type'],
      detail: Record<string, unknown>,
      from: SubscriptionStatus | null = null,
      to: SubscriptionStatus | null = null,
    ) =>
      events.push(
        em.getRepository(SubscriptionEvent).create({
          id: newId(),
          merchantId: s.merchantId,
          subscriptionId: s.id,
          type,
          fromStatus: from,
          toStatus: to,
          actor,
          detail,
          createdAt: now,
        }),
      );
    for (const change of changes) {
      const s = state.get(change.subscriptionId);
      if (!s) throw new Error(`subscription ${change.subscriptionId} was not loaded`);
      if (change.kind === 'noted') {
        event(s, 'updated', change.detail, s.status, s.status);
      } else if (change.kind === 'skipped') {
        if (s.status !== 'active' && s.status !== 'past_due') continue;
        s.nextBillDate = change.to;
        touched.add(s.id);
        event(
          s,
          'updated',
          { skipped_bill_dates: change.skipped, reason: change.reason },
          s.status,
          s.status,
        );
      } else if (change.kind === 'billed') {
        if (
          (s.status !== 'active' && s.status !== 'past_due' && s.status !== 'trialing') ||
          s.nextBillDate !== change.billDate
        )
          continue;
        s.billingCount += 1;
        const done = s.completesOnNextBilling;
        if (!done) s.nextBillDate = nextBillDate(s.schedule, change.billDate);
        touched.add(s.id);
        event(s, 'billed', {
          bill_date: change.billDate,
          billing_number: s.billingCount,
          next_bill_date: done ? null : s.nextBillDate,
        });
        if (done) {
          const from = s.status;
          s.status = 'completed';
          completed.add(s.id);
          event(
            s,
            'status_changed',
            { reason: `duration of ${s.billingCount} billings reached` },
            from,
            'completed',
          );
        }
      } else {
        if (transitionRefusal(s.status, change.to) !== null) continue;
        const from = s.status;
        s.status = change.to;
        touched.add(s.id);
        // Reactivation after a payment keeps the next bill date: the run already moved it on.
        event(s, 'status_changed', { reason: change.reason }, from, change.to);
      }
    }
    const rows = [...touched].map((id) => state.get(id)!);
    if (rows.length > 0) {
      await em.query(
        `UPDATE subscriptions s
            SET status = u.status, next_bill_date = u.next_bill_date, billing_count = u.billing_count,
                updated_at = $5
           FROM unnest($1::text[], $2::text[], $3::date[], $4::int[])
                AS u(id, status, next_bill_date, billing_count)
          WHERE s.id = u.id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.status),
          rows.map((r) => r.nextBillDate),
          rows.map((r) => r.billingCount),
          now,
        ],
      );
    }
    if (events.length > 0) {
      await insertMany(em, SubscriptionEvent, events);
      await this.subscriptions.publishEvents(em, events);
    }
    return { completed };
  }

  /**
   * Hands pending items to the cycle whose invoice carries them, once: an item already taken
   * by a cycle is left alone (the caller's transaction created the cycle). One statement.
   */
  async attachPendingItems(
    em: EntityManager,
    attachments: readonly { cycleId: string; itemIds: readonly string[] }[],
  ): Promise<void> {
    const pairs = attachments.flatMap((a) => a.itemIds.map((id) => ({ id, cycleId: a.cycleId })));
    if (pairs.length === 0) return;
    await em.query(
      `UPDATE subscription_pending_items p SET cycle_id = u.cycle_id
         FROM unnest($1::text[], $2::text[]) AS u(id, cycle_id)
        WHERE p.id = u.id AND p.cycle_id IS NULL`,
      [pairs.map((p) => p.id), pairs.map((p) => p.cycleId)],
    );
  }

  /**
   * Trials still running (not deleted) that end on or before `by`, whose notice has not gone
   * out: the billing run's notice sweep picks from them by each merchant's notice days.
   */
  async trialsEnding(
    em: EntityManager,
    q: { merchantId: string | null; by: LocalDate; only: readonly string[] | null },
  ): Promise<RunningTrialRow[]> {
    const rows: { id: string; merchant_id: string; trial_start: string; trial_end: string }[] =
      await em.query(
        `SELECT id, merchant_id, to_char(trial_start, 'YYYY-MM-DD') AS trial_start,
                to_char(trial_end, 'YYYY-MM-DD') AS trial_end
           FROM subscriptions
          WHERE status = 'trialing' AND trial_notice_sent_at IS NULL AND deleted_at IS NULL
            AND trial_end <= $1 AND ($2::text IS NULL OR merchant_id = $2)
            AND ($3::text[] IS NULL OR id = ANY($3::text[]))
          ORDER BY trial_end, id`,
        [q.by, q.merchantId, q.only],
      );
    return rows.map((r) => ({
      id: r.id,
      merchantId: r.merchant_id,
      trialStart: r.trial_start,
      trialEnd: r.trial_end,
    }));
  }

  /**
   * Sends the "trial will end" notice of each trial given, once: marks it sent (a trial
   * already told, or no longer trialing, is skipped), records `subscription.trial_will_end`
   * and queues the customer's email, for the whole list in a constant number of statements.
   * Returns how many notices went out.
   */
  async sendTrialNotices(em: EntityManager, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const now = this.clock.now();
    const marked: { id: string }[] = await em.query(
      `WITH sent AS (
         UPDATE subscriptions SET trial_notice_sent_at = $2
          WHERE id = ANY($1::text[]) AND status = 'trialing' AND trial_notice_sent_at IS NULL
          RETURNING id)
       SELECT id FROM sent`,
      [ids, now],
    );
    if (marked.length === 0) return 0;
    const subs = await em.getRepository(Subscription).findBy({ id: In(marked.map((m) => m.id)) });
    const events = subs.map((s) =>
      em.getRepository(SubscriptionEvent).create({
        id: newId(),
        merchantId: s.merchantId,
        subscriptionId: s.id,
        type: 'trial_will_end',
        fromStatus: null,
        toStatus: null,
        actor: 'system',
        detail: { trial_end: s.trialEnd, first_bill_date: s.nextBillDate },
        createdAt: now,
      }),
    );
    await insertMany(em, SubscriptionEvent, events);
    await this.subscriptions.publishEvents(em, events);
    await this.subscriptions.enqueueTrialNotices(em, subs);
    return subs.length;
  }

  /**
   * A cycle paid outside the run (hosted page, marked paid): a past-due subscription with no
   * other open cycle is active again, its next bill date unchanged.
   */
  async reactivateAfterPayment(
    em: EntityManager,
    subscriptionId: string,
    reason: string,
  ): Promise<void> {
    await this.subscriptions.reactivateAfterPayment(em, subscriptionId, 'system', { reason });
  }
}
