import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { list, ok } from '../platform/http/envelope';
import { type ParamsOf, type QueryOf, type ReplyOf, Route } from '../platform/http/route-schema';
import { readEventFilter } from './event-filter';
import { EVENT_ROUTES, type EventRoutes } from './events.routes';
import { EventsService } from './events.service';
import { eventView } from './events.views';

@ApiTags('events')
@Controller('api')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** Oldest first by sequence; `since` is a sequence number to resume from. */
  @Get('events')
  @Route(EVENT_ROUTES.list)
  async list(
    @CurrentMerchant() auth: MerchantAuth,
    @Query() query: QueryOf<EventRoutes['list']>,
  ): Promise<ReplyOf<EventRoutes['list']>> {
    const { items, total } = await this.events.list(auth.merchantId, readEventFilter(query ?? {}));
    return list(items.map(eventView), total);
  }

  @Get('event/:id')
  @Route(EVENT_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<EventRoutes['get']>,
  ): Promise<ReplyOf<EventRoutes['get']>> {
    return ok(eventView(await this.events.get(auth.merchantId, id)));
  }
}
