import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { ValidationError } from '../../platform/errors/errors';
import {
  DEFAULT_DUNNING,
  DunningSettings,
  dunningSettingsProblem,
  FinalAction,
  CatchUp,
} from './dunning-policy';

export interface BillingSettings extends DunningSettings {
  /** Local time of the nightly run in the merchant's time zone, "HH:MM". */
  runAt: string;
}

/** A merchant's billing settings: dunning schedule, final action, catch-up and run time. */
@Injectable()
export class BillingSettingsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async forMerchant(merchantId: string, em?: EntityManager): Promise<BillingSettings> {
    const rows: {
      retry_days: number[];
      final_action: FinalAction;
      catch_up: CatchUp;
      run_at_local_time: string;
    }[] = await (em ?? this.dataSource.manager).query(
      `SELECT retry_days, final_action, catch_up, run_at_local_time FROM merchant_billing_settings WHERE merchant_id = $1`,
      [merchantId],
    );
    if (rows.length === 0) return { ...DEFAULT_DUNNING, runAt: '02:00' };
    const r = rows[0];
    return {
      retryDays: r.retry_days,
      finalAction: r.final_action,
      catchUp: r.catch_up,
      runAt: r.run_at_local_time,
    };
  }

  async update(merchantId: string, body: Record<string, unknown>): Promise<BillingSettings> {
    const problem = dunningSettingsProblem(body);
    if (problem) throw new ValidationError(problem.field, problem.problem);
    if (
      body.run_at !== undefined &&
      (typeof body.run_at !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(body.run_at))
    ) {
      throw new ValidationError('run_at', 'must be a local time "HH:MM", e.g. "02:00"');
    }
    const current = await this.forMerchant(merchantId);
    const next: BillingSettings = {
      retryDays: (body.retry_days as number[] | undefined) ?? current.retryDays,
      finalAction: (body.final_action as FinalAction | undefined) ?? current.finalAction,
      catchUp: (body.catch_up as CatchUp | undefined) ?? current.catchUp,
      runAt: (body.run_at as string | undefined) ?? current.runAt,
    };
    await this.dataSource.query(
      `INSERT INTO merchant_billing_settings (merchant_id, retry_days, final_action, catch_up, run_at_local_time, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (merchant_id) DO UPDATE SET retry_days = $2, final_action = $3, catch_up = $4, run_at_local_time = $5, updated_at = $6`,
      [merchantId, next.retryDays, next.finalAction, next.catchUp, next.runAt, this.clock.now()],
    );
    return next;
  }
}

export function billingSettingsView(s: BillingSettings) {
  return {
    retry_days: s.retryDays,
    final_action: s.finalAction,
    catch_up: s.catchUp,
    run_at: s.runAt,
  };
}
