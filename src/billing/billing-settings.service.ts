import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ValidationError } from '../platform/errors/errors';
import { BillingRepository } from './billing.repository';
import { CatchUp, DunningSettings, dunningSettingsProblem, FinalAction } from './core/dunning';
import { DisputeAction, disputeActionProblem } from './core/dispute-policy';
import { MAX_TRIAL_NOTICE_DAYS } from './core/trial-notice';

export interface BillingSettings extends DunningSettings {
  /** Local time of the nightly run in the merchant's time zone, "HH:MM". */
  runAt: string;
  /** What a dispute on a subscription's payment does (core/dispute-policy.ts). */
  disputeAction: DisputeAction;
  /** Days before a trial ends that its "trial will end" event and email go out; 0 = none. */
  trialNoticeDays: number;
}

/** A merchant's billing settings: dunning schedule, final action, catch-up and run time. */
@Injectable()
export class BillingSettingsService {
  constructor(private readonly repository: BillingRepository) {}

  async forMerchant(merchantId: string, em?: EntityManager): Promise<BillingSettings> {
    return (await this.repository.settingsFor(em, [merchantId])).get(merchantId)!;
  }

  async update(merchantId: string, body: Record<string, unknown>): Promise<BillingSettings> {
    const problem = dunningSettingsProblem(body);
    if (problem) throw new ValidationError(problem.field, problem.problem);
    const disputeProblem = disputeActionProblem(body.dispute_action);
    if (disputeProblem) throw new ValidationError(disputeProblem.field, disputeProblem.problem);
    if (
      body.run_at !== undefined &&
      (typeof body.run_at !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(body.run_at))
    ) {
      throw new ValidationError('run_at', 'must be a local time "HH:MM", e.g. "02:00"');
    }
    const notice = body.trial_notice_days;
    if (
      notice !== undefined &&
      (typeof notice !== 'number' ||
        !Number.isInteger(notice) ||
        notice < 0 ||
        notice > MAX_TRIAL_NOTICE_DAYS)
    ) {
      throw new ValidationError(
        'trial_notice_days',
        `must be a whole number of days from 0 (no notice) to ${MAX_TRIAL_NOTICE_DAYS}`,
      );
    }
    const current = await this.forMerchant(merchantId);
    const next: BillingSettings = {
      retryDays: (body.retry_days as number[] | undefined) ?? current.retryDays,
      finalAction: (body.final_action as FinalAction | undefined) ?? current.finalAction,
      catchUp: (body.catch_up as CatchUp | undefined) ?? current.catchUp,
      runAt: (body.run_at as string | undefined) ?? current.runAt,
      disputeAction: (body.dispute_action as DisputeAction | undefined) ?? current.disputeAction,
      trialNoticeDays: (notice as number | undefined) ?? current.trialNoticeDays,
    };
    await this.repository.saveSettings(merchantId, next);
    return next;
  }
}

export function billingSettingsView(s: BillingSettings) {
  return {
    retry_days: s.retryDays,
    final_action: s.finalAction,
    catch_up: s.catchUp,
    run_at: s.runAt,
    dispute_action: s.disputeAction,
    trial_notice_days: s.trialNoticeDays,
  };
}
