import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { readSequence } from '../events/event-filter';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { Clock, CLOCK } from '../platform/clock/clock';
import { list, ok } from '../platform/http/envelope';
import {
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ReplyOf,
  Route,
} from '../platform/http/route-schema';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { readEndpointInput, readGraceHours } from './webhook-input';
import { WEBHOOK_ROUTES, type WebhookRoutes } from './webhooks.routes';
import { deliveryView, endpointView } from './webhooks.views';

type R = WebhookRoutes;

@ApiTags('webhooks')
@Controller('api')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The response carries `secret`, shown this once. */
  @Post('webhook')
  @HttpCode(200)
  @Route(WEBHOOK_ROUTES.create)
  async create(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['create']>,
  ): Promise<ReplyOf<R['create']>> {
    const input = readEndpointInput(body ?? {}, {
      required: true,
      allowPrivate: this.endpoints.allowPrivate,
    });
    const { endpoint, secret } = await this.endpoints.create(auth.merchantId, {
      ...input,
      url: input.url!,
      events: input.events!,
    });
    return ok({ ...endpointView(endpoint, this.clock.now()), secret });
  }

  @Get('webhooks')
  @Route(WEBHOOK_ROUTES.list)
  async list(
    @CurrentMerchant() auth: MerchantAuth,
    @Query() query: QueryOf<R['list']>,
  ): Promise<ReplyOf<R['list']>> {
    const { items, total } = await this.endpoints.list(auth.merchantId, {
      limit: query?.limit ?? 20,
      offset: query?.offset ?? 0,
    });
    const now = this.clock.now();
    return list(
      items.map((e) => endpointView(e, now)),
      total,
    );
  }

  @Get('webhook/:id')
  @Route(WEBHOOK_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['get']>,
  ): Promise<ReplyOf<R['get']>> {
    return ok(endpointView(await this.endpoints.get(auth.merchantId, id), this.clock.now()));
  }

  @Put('webhook/:id')
  @Route(WEBHOOK_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['update']>,
    @Body() body: BodyOf<R['update']>,
  ): Promise<ReplyOf<R['update']>> {
    const input = readEndpointInput(body ?? {}, {
      required: false,
      allowPrivate: this.endpoints.allowPrivate,
    });
    const endpoint = await this.endpoints.update(auth.merchantId, id, input);
    return ok(endpointView(endpoint, this.clock.now()));
  }

  @Delete('webhook/:id')
  @Route(WEBHOOK_ROUTES.remove)
  async remove(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['remove']>,
  ): Promise<ReplyOf<R['remove']>> {
    await this.endpoints.remove(auth.merchantId, id);
    return ok(null);
  }

  /** A new secret (shown once); the old one also signs for grace_period_hours (default 24). */
  @Post('webhook/:id/rotate-secret')
  @HttpCode(200)
  @Route(WEBHOOK_ROUTES.rotate)
  async rotate(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['rotate']>,
    @Body() body: BodyOf<R['rotate']>,
  ): Promise<ReplyOf<R['rotate']>> {
    const { endpoint, secret } = await this.endpoints.rotateSecret(
      auth.merchantId,
      id,
      readGraceHours(body ?? {}),
    );
    return ok({ ...endpointView(endpoint, this.clock.now()), secret });
  }

  /** Newest first, each with its attempts (status, response code, duration, next retry). */
  @Get('webhook/:id/deliveries')
  @Route(WEBHOOK_ROUTES.deliveries)
  async deliveries(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['deliveries']>,
    @Query() query: QueryOf<R['deliveries']>,
  ): Promise<ReplyOf<R['deliveries']>> {
    const { items, total } = await this.endpoints.deliveries(auth.merchantId, id, {
      status: query?.status,
      eventId: query?.event_id === '' ? undefined : query?.event_id,
      limit: query?.limit ?? 20,
      offset: query?.offset ?? 0,
    });
    return list(
      items.map((i) => deliveryView(i.delivery, i.attempts)),
      total,
    );
  }

  /** Resends every event after `since` (a sequence number) that the endpoint subscribes to. */
  @Post('webhook/:id/replay')
  @HttpCode(200)
  @Route(WEBHOOK_ROUTES.replay)
  async replay(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['replay']>,
    @Body() body: BodyOf<R['replay']>,
  ): Promise<ReplyOf<R['replay']>> {
    const since = readSequence(body.since, 'since');
    return ok({ queued: await this.endpoints.replay(auth.merchantId, id, since) });
  }

  /** Sends the event again: to `endpoint_id`, or to every enabled endpoint subscribed to its type. */
  @Post('event/:id/redeliver')
  @HttpCode(200)
  @Route(WEBHOOK_ROUTES.redeliver)
  async redeliver(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['redeliver']>,
    @Body() body: BodyOf<R['redeliver']>,
  ): Promise<ReplyOf<R['redeliver']>> {
    const endpointId = body?.endpoint_id ?? undefined;
    const deliveries = await this.endpoints.redeliver(
      auth.merchantId,
      id,
      endpointId === '' ? undefined : endpointId,
    );
    return list(
      deliveries.map((d) => deliveryView(d, [])),
      deliveries.length,
    );
  }
}
