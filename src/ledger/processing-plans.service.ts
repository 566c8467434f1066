import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import {
  CARD_BRANDS,
  CardBrand,
  defaultProcessingPlan,
  ProcessingPlan,
  Rate,
} from './core/processing-plan';

export interface ProcessingPlanView extends ProcessingPlan {
  id: string;
  entity: 'processing_plan';
  account_id: string;
}

/**
 * Each merchant's processing plan. A merchant nobody configured is on the default plan
 * (core/processing-plan.ts), stored the first time it is read so its id stays the same.
 */
@Injectable()
export class ProcessingPlansService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async get(merchantId: string): Promise<ProcessingPlanView> {
    const now = this.clock.now();
    await this.dataSource.query(
      `INSERT INTO processing_plans (merchant_id, id, plan, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $4) ON CONFLICT (merchant_id) DO NOTHING`,
      [merchantId, newId(), defaultProcessingPlan(now.toISOString().slice(0, 10)), now],
    );
    const rows: { id: string; plan: ProcessingPlan }[] = await this.dataSource.query(
      `SELECT id, plan FROM processing_plans WHERE merchant_id = $1`,
      [merchantId],
    );
    return { id: rows[0].id, entity: 'processing_plan', account_id: merchantId, ...rows[0].plan };
  }

  /** Replaces the plan (the partner's decision); fields left out keep their values. */
  async set(merchantId: string, body: unknown): Promise<ProcessingPlanView> {
    const current = await this.get(merchantId);
    const { id: _id, entity: _e, account_id: _a, ...plan } = current;
    const next = parsePlan(body, plan);
    await this.dataSource.query(
      `UPDATE processing_plans SET plan = $2, updated_at = $3 WHERE merchant_id = $1`,
      [merchantId, next, this.clock.now()],
    );
    return { id: current.id, entity: 'processing_plan', account_id: merchantId, ...next };
  }

  /** The plans of many merchants at once (the default for those without one). */
  async plansOf(
    em: EntityManager,
    merchantIds: readonly string[],
  ): Promise<Map<string, ProcessingPlan>> {
    const rows: { merchant_id: string; plan: ProcessingPlan }[] =
      merchantIds.length === 0
        ? []
        : await em.query(
            `SELECT merchant_id, plan FROM processing_plans WHERE merchant_id = ANY($1::text[])`,
            [merchantIds],
          );
    const found = new Map(rows.map((r) => [r.merchant_id, r.plan]));
    const fallback = defaultProcessingPlan(this.clock.now().toISOString().slice(0, 10));
    return new Map(merchantIds.map((m) => [m, found.get(m) ?? fallback]));
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cents(v: unknown, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 100_000_00) {
    throw new ValidationError(field, 'must be a whole number of cents from 0 to 10000000');
  }
  return v;
}

function rate(v: unknown, field: string, fallback: Rate): Rate {
  if (v === undefined) return fallback;
  if (!isObject(v)) throw new ValidationError(field, 'must be an object {percentage, fixed}');
  const percentage = v.percentage;
  if (
    percentage !== undefined &&
    (typeof percentage !== 'number' ||
      !Number.isSafeInteger(percentage) ||
      percentage < 0 ||
      percentage > 100000)
  ) {
    throw new ValidationError(
      `${field}.percentage`,
      'must be thousandths of a percent from 0 to 100000',
    );
  }
  return {
    percentage: (percentage as number | undefined) ?? fallback.percentage,
    fixed: cents(v.fixed, `${field}.fixed`, fallback.fixed),
  };
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function bool(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return v;
}

function obj(v: unknown, field: string): Json {
  if (v === undefined) return {};
  if (!isObject(v)) throw new ValidationError(field, 'must be an object');
  return v;
}

/** A plan from a request body over the current plan; every field named on refusal. */
export function parsePlan(body: unknown, current: ProcessingPlan): ProcessingPlan {
  if (!isObject(body)) throw new ValidationError('body', 'must be a JSON object');
  const known = new Set([
    'plan_type',
    'effective_date',
    'accepted_cards',
    'auth_fee',
    'fees',
    'fees_paid_by_partner',
    'partner_pays_chargeback_amount',
    'comment',
    'interchange_cost',
    'bank_processing_plan_settings',
  ]);
  for (const k of Object.keys(body))
    if (!known.has(k)) throw new ValidationError(k, 'is not a processing plan field');
  const effective = body.effective_date;
  if (
    effective !== undefined &&
    (typeof effective !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(effective))
  ) {
    throw new ValidationError('effective_date', 'must be a date YYYY-MM-DD');
  }
  let cards = current.accepted_cards;
  if (body.accepted_cards !== undefined) {
    if (
      !Array.isArray(body.accepted_cards) ||
      body.accepted_cards.some(
        (c) => typeof c !== 'string' || !CARD_BRANDS.includes(c as CardBrand),
      )
    ) {
      throw new ValidationError('accepted_cards', `must be a list of ${CARD_BRANDS.join(', ')}`);
    }
    cards = [...new Set(body.accepted_cards as CardBrand[])];
  }
  const auth = obj(body.auth_fee, 'auth_fee');
  const fees = obj(body.fees, 'fees');
  const paid = obj(body.fees_paid_by_partner, 'fees_paid_by_partner');
  const bank = obj(body.bank_processing_plan_settings, 'bank_processing_plan_settings');
  const comment = body.comment;
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 1000)) {
    throw new ValidationError('comment', 'must be a text of at most 1000 characters');
  }
  return {
    plan_type: oneOf(
      body.plan_type,
      'plan_type',
      ['FLAT_RATE', 'INTERCHANGE_PLUS'] as const,
      current.plan_type,
    ),
    effective_date: (effective as string | undefined) ?? current.effective_date,
    accepted_cards: cards,
    auth_fee: {
      card: cents(auth.card, 'auth_fee.card', current.auth_fee.card),
      ach: cents(auth.ach, 'auth_fee.ach', current.auth_fee.ach),
    },
    fees: {
      card: rate(fees.card, 'fees.card', current.fees.card),
      ach: rate(fees.ach, 'fees.ach', current.fees.ach),
      dispute: cents(fees.dispute, 'fees.dispute', current.fees.dispute),
      payout_batch: cents(fees.payout_batch, 'fees.payout_batch', current.fees.payout_batch),
      payout_reject: cents(fees.payout_reject, 'fees.payout_reject', current.fees.payout_reject),
    },
    fees_paid_by_partner: {
      dispute: bool(
        paid.dispute,
        'fees_paid_by_partner.dispute',
        current.fees_paid_by_partner.dispute,
      ),
    },
    partner_pays_chargeback_amount: bool(
      body.partner_pays_chargeback_amount,
      'partner_pays_chargeback_amount',
      current.partner_pays_chargeback_amount,
    ),
    comment: (comment as string | undefined) ?? current.comment,
    interchange_cost: oneOf(
      body.interchange_cost,
      'interchange_cost',
      ['GROSS', 'NET'] as const,
      current.interchange_cost,
    ),
    bank_processing_plan_settings: {
      payout_schedule: oneOf(
        bank.payout_schedule,
        'bank_processing_plan_settings.payout_schedule',
        ['daily', 'manual'] as const,
        current.bank_processing_plan_settings.payout_schedule,
      ),
      currency: current.bank_processing_plan_settings.currency,
    },
  };
}
