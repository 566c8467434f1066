import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { list, ok } from '../platform/http/envelope';
import { readEventFilter } from './event-filter';
import { EventsService } from './events.service';
import { eventView } from './events.views';

@ApiTags('events')
@Controller('api')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** Oldest first by sequence; `since` is a sequence number to resume from. */
  @Get('events')
  async list(@CurrentMerchant() auth: MerchantAuth, @Query() query: Record<string, unknown>) {
    const { items, total } = await this.events.list(auth.merchantId, readEventFilter(query ?? {}));
    return list(items.map(eventView), total);
  }

  @Get('event/:id')
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(eventView(await this.events.get(auth.merchantId, id)));
  }
}
