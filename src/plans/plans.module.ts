import { Module } from '@nestjs/common';
import { CatalogService } from './catalog.service';
import { PlanPushRegistry } from './plan-push';
import { CatalogController, PlansController } from './plans.controller';
import { PlansService } from './plans.service';

/** The recurring catalog: add-ons, discounts and plans. */
@Module({
  controllers: [CatalogController, PlansController],
  providers: [CatalogService, PlansService, PlanPushRegistry],
  exports: [CatalogService, PlansService, PlanPushRegistry],
})
export class PlansModule {}
