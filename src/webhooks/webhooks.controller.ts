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
import { readPaging } from '../plans/recurring-input';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ValidationError } from '../platform/errors/errors';
import { objectBody } from '../platform/http/body';
import { list, ok } from '../platform/http/envelope';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { readEndpointInput, readGraceHours } from './webhook-input';
import { deliveryView, endpointView } from './webhooks.views';

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

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
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const input = readEndpointInput(objectBody(raw), {
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
  async list(@CurrentMerchant() auth: MerchantAuth, @Query() query: Record<string, unknown>) {
    const { limit, offset } = readPaging(query ?? {}, 20, 100);
    const { items, total } = await this.endpoints.list(auth.merchantId, {
      limit: limit ?? 20,
      offset,
    });
    const now = this.clock.now();
    return list(
      items.map((e) => endpointView(e, now)),
      total,
    );
  }

  @Get('webhook/:id')
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(endpointView(await this.endpoints.get(auth.merchantId, id), this.clock.now()));
  }

  @Put('webhook/:id')
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const input = readEndpointInput(objectBody(raw), {
      required: false,
      allowPrivate: this.endpoints.allowPrivate,
    });
    const endpoint = await this.endpoints.update(auth.merchantId, id, input);
    return ok(endpointView(endpoint, this.clock.now()));
  }

  @Delete('webhook/:id')
  async remove(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.endpoints.remove(auth.merchantId, id);
    return ok(null);
  }

  /** A new secret (shown once); the old one also signs for grace_period_hours (default 24). */
  @Post('webhook/:id/rotate-secret')
  @HttpCode(200)
  async rotate(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const { endpoint, secret } = await this.endpoints.rotateSecret(
      auth.merchantId,
      id,
      readGraceHours(objectBody(raw)),
    );
    return ok({ ...endpointView(endpoint, this.clock.now()), secret });
  }

  /** Newest first, each with its attempts (status, response code, duration, next retry). */
  @Get('webhook/:id/deliveries')
  async deliveries(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const q = query ?? {};
    const status = q.status;
    if (
      status !== undefined &&
      status !== '' &&
      !(DELIVERY_STATUSES as readonly unknown[]).includes(status)
    ) {
      throw new ValidationError('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
    }
    const eventId = q.event_id;
    if (eventId !== undefined && typeof eventId !== 'string') {
      throw new ValidationError('event_id', 'must be given once');
    }
    const { limit, offset } = readPaging(q, 20, 100);
    const { items, total } = await this.endpoints.deliveries(auth.merchantId, id, {
      status: status === '' ? undefined : (status as (typeof DELIVERY_STATUSES)[number]),
      eventId: eventId === '' ? undefined : eventId,
      limit: limit ?? 20,
      offset,
    });
    return list(
      items.map((i) => deliveryView(i.delivery, i.attempts)),
      total,
    );
  }

  /** Resends every event after `since` (a sequence number) that the endpoint subscribes to. */
  @Post('webhook/:id/replay')
  @HttpCode(200)
  async replay(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const body = objectBody(raw);
    if (body.since === undefined)
      throw new ValidationError('since', 'is required (a sequence number)');
    const queued = await this.endpoints.replay(
      auth.merchantId,
      id,
      readSequence(body.since, 'since'),
    );
    return ok({ queued });
  }

  /** Sends the event again: to `endpoint_id`, or to every enabled endpoint subscribed to its type. */
  @Post('event/:id/redeliver')
  @HttpCode(200)
  async redeliver(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const body = objectBody(raw);
    const endpointId = body.endpoint_id;
    if (endpointId !== undefined && (typeof endpointId !== 'string' || endpointId === '')) {
      throw new ValidationError('endpoint_id', 'must be a webhook id');
    }
    const deliveries = await this.endpoints.redeliver(auth.merchantId, id, endpointId);
    return list(
      deliveries.map((d) => deliveryView(d, [])),
      deliveries.length,
    );
  }
}
