import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { list, ok } from '../platform/http/envelope';
import { apiKeyActor } from './actors';
import { CatalogService } from './catalog.service';
import { PlansService } from './plans.service';
import { catalogAdjustmentView, planView } from './plans.views';
import { AdjustmentKind } from './adjustments';
import { PLAN_ROUTES } from './plans.routes';
import { ADD_ON_ROUTES, type CatalogRoutes } from './catalog.routes';
import { DISCOUNT_ROUTES } from './catalog.routes';
import {
  Route,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ReplyOf,
} from '../platform/http/route-schema';

type Body<K extends keyof CatalogRoutes> = BodyOf<CatalogRoutes[K]>;
type Query<K extends keyof CatalogRoutes> = QueryOf<CatalogRoutes[K]>;
type Params<K extends keyof CatalogRoutes> = ParamsOf<CatalogRoutes[K]>;
type Reply<K extends keyof CatalogRoutes> = ReplyOf<CatalogRoutes[K]>;
type P = typeof PLAN_ROUTES;

@ApiTags('recurring')
@Controller('api/recurring')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Post('addon')
  @HttpCode(200)
  @Route(ADD_ON_ROUTES.create)
  createAddOn(@CurrentMerchant() auth: MerchantAuth, @Body() body: Body<'create'>) {
    return this.create(auth, 'add_on', body);
  }

  @Get('addon/:id')
  @Route(ADD_ON_ROUTES.get)
  getAddOn(@CurrentMerchant() auth: MerchantAuth, @Param() { id }: Params<'get'>) {
    return this.get(auth, 'add_on', id);
  }

  @Get('addons')
  @Route(ADD_ON_ROUTES.list)
  listAddOns(@CurrentMerchant() auth: MerchantAuth, @Query() query: Query<'list'>) {
    return this.list(auth, 'add_on', query);
  }

  @Post('addon/:id')
  @HttpCode(200)
  @Route(ADD_ON_ROUTES.update)
  updateAddOn(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: Params<'update'>,
    @Body() body: Body<'update'>,
  ) {
    return this.update(auth, 'add_on', id, body);
  }

  @Delete('addon/:id')
  @Route(ADD_ON_ROUTES.remove)
  deleteAddOn(@CurrentMerchant() auth: MerchantAuth, @Param() { id }: Params<'remove'>) {
    return this.remove(auth, 'add_on', id);
  }

  @Post('discount')
  @HttpCode(200)
  @Route(DISCOUNT_ROUTES.create)
  createDiscount(@CurrentMerchant() auth: MerchantAuth, @Body() body: Body<'create'>) {
    return this.create(auth, 'discount', body);
  }

  @Get('discount/:id')
  @Route(DISCOUNT_ROUTES.get)
  getDiscount(@CurrentMerchant() auth: MerchantAuth, @Param() { id }: Params<'get'>) {
    return this.get(auth, 'discount', id);
  }

  @Get('discounts')
  @Route(DISCOUNT_ROUTES.list)
  listDiscounts(@CurrentMerchant() auth: MerchantAuth, @Query() query: Query<'list'>) {
    return this.list(auth, 'discount', query);
  }

  @Post('discount/:id')
  @HttpCode(200)
  @Route(DISCOUNT_ROUTES.update)
  updateDiscount(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: Params<'update'>,
    @Body() body: Body<'update'>,
  ) {
    return this.update(auth, 'discount', id, body);
  }

  @Delete('discount/:id')
  @Route(DISCOUNT_ROUTES.remove)
  deleteDiscount(@CurrentMerchant() auth: MerchantAuth, @Param() { id }: Params<'remove'>) {
    return this.remove(auth, 'discount', id);
  }

  private async create(
    auth: MerchantAuth,
    kind: AdjustmentKind,
    body: Body<'create'>,
  ): Promise<Reply<'create'>> {
    return ok(catalogAdjustmentView(await this.catalog.create(auth.merchantId, kind, body)));
  }

  private async get(auth: MerchantAuth, kind: AdjustmentKind, id: string): Promise<Reply<'get'>> {
    return ok(catalogAdjustmentView(await this.catalog.get(auth.merchantId, kind, id)));
  }

  private async list(
    auth: MerchantAuth,
    kind: AdjustmentKind,
    query: Query<'list'>,
  ): Promise<Reply<'list'>> {
    const paging = { limit: query.limit ?? null, offset: query.offset ?? 0 };
    const { items, total } = await this.catalog.list(auth.merchantId, kind, paging);
    return list(items.map(catalogAdjustmentView), total);
  }

  private async update(
    auth: MerchantAuth,
    kind: AdjustmentKind,
    id: string,
    body: Body<'update'>,
  ): Promise<Reply<'update'>> {
    return ok(catalogAdjustmentView(await this.catalog.update(auth.merchantId, kind, id, body)));
  }

  private async remove(
    auth: MerchantAuth,
    kind: AdjustmentKind,
    id: string,
  ): Promise<Reply<'remove'>> {
    await this.catalog.remove(auth.merchantId, kind, id);
    return ok(null);
  }
}

@ApiTags('recurring')
@Controller('api/recurring')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post('plan')
  @HttpCode(200)
  @Route(PLAN_ROUTES.create)
  async create(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<P['create']>,
  ): Promise<ReplyOf<P['create']>> {
    return ok(planView(await this.plans.create(auth.merchantId, body)));
  }

  @Get('plan/:id')
  @Route(PLAN_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<P['get']>,
  ): Promise<ReplyOf<P['get']>> {
    return ok(planView(await this.plans.get(auth.merchantId, id)));
  }

  @Get('plans')
  @Route(PLAN_ROUTES.list)
  async list(
    @CurrentMerchant() auth: MerchantAuth,
    @Query() query: QueryOf<P['list']>,
  ): Promise<ReplyOf<P['list']>> {
    const paging = { limit: query.limit ?? null, offset: query.offset ?? 0 };
    const { plans, total } = await this.plans.list(auth.merchantId, paging);
    return list(plans.map(planView), total);
  }

  @Post('plan/:id')
  @HttpCode(200)
  @Route(PLAN_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<P['update']>,
    @Body() body: BodyOf<P['update']>,
  ): Promise<ReplyOf<P['update']>> {
    const updated = await this.plans.update(auth.merchantId, id, body, apiKeyActor(auth));
    return ok(planView(updated));
  }

  @Delete('plan/:id')
  @Route(PLAN_ROUTES.remove)
  async remove(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<P['remove']>,
  ): Promise<ReplyOf<P['remove']>> {
    await this.plans.remove(auth.merchantId, id);
    return ok(null);
  }
}
