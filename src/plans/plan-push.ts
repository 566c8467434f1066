import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from './actors';
import type { PlanDetails } from './plans.service';

/**
 * Pushes a plan's new amount, add-ons and discounts to its live subscriptions
 * (`update_subscriptions: true`). Returns how many subscriptions were changed.
 */
export type PlanPushListener = (
  em: EntityManager,
  plan: PlanDetails,
  actor: Actor,
) => Promise<number>;

/**
 * Plans do not depend on subscriptions (subscriptions depend on plans), so the subscriptions
 * module registers here the function that pushes a plan update to the subscriptions.
 */
@Injectable()
export class PlanPushRegistry {
  private listener: PlanPushListener | null = null;

  register(listener: PlanPushListener): void {
    this.listener = listener;
  }

  async push(em: EntityManager, plan: PlanDetails, actor: Actor): Promise<number> {
    if (!this.listener) throw new Error('no subscriptions module registered for plan updates');
    return this.listener(em, plan, actor);
  }
}
