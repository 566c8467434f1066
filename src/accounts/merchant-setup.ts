import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What a new merchant starts with, from modules that depend on accounts (a reversed dependency). */
export interface MerchantSetupStep {
  onMerchantCreated(
    manager: EntityManager,
    merchant: { id: string; timezone: string },
  ): Promise<void>;
}

/**
 * Modules register their step at boot (onModuleInit); createMerchant runs every step inside
 * its own transaction, so a merchant exists with all of them or not at all.
 */
@Injectable()
export class MerchantSetup {
  private readonly steps: MerchantSetupStep[] = [];

  register(step: MerchantSetupStep): void {
    this.steps.push(step);
  }

  async run(manager: EntityManager, merchant: { id: string; timezone: string }): Promise<void> {
    for (const step of this.steps) await step.onMerchantCreated(manager, merchant);
  }
}
