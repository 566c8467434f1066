import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { Route, type BodyOf, type ParamsOf, type ReplyOf } from '../platform/http/route-schema';
import { PROCESSOR_ROUTES } from './processors.routes';
import { list, ok } from '../platform/http/envelope';
import { processorView, ProcessorsService } from './processors.service';

type R = typeof PROCESSOR_ROUTES;

/** Processors are configured in a control panel in the spec; Rebill exposes them here (docs/calculation.md). */
@ApiTags('processors')
@Controller('api')
export class ProcessorsController {
  constructor(private readonly processors: ProcessorsService) {}

  @Get('processors')
  @Route(PROCESSOR_ROUTES.list)
  async list(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['list']>> {
    const all = await this.processors.list(auth.merchantId);
    return list(all.map(processorView), all.length);
  }

  @Get('processor/:id')
  @Route(PROCESSOR_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['get']>,
  ): Promise<ReplyOf<R['get']>> {
    return ok(processorView(await this.processors.resolve(auth.merchantId, id)));
  }

  @Post('processor')
  @HttpCode(200)
  @Route(PROCESSOR_ROUTES.create)
  async create(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['create']>,
  ): Promise<ReplyOf<R['create']>> {
    return ok(processorView(await this.processors.create(auth.merchantId, body)));
  }

  @Put('processor/:id')
  @Route(PROCESSOR_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['update']>,
    @Body() body: BodyOf<R['update']>,
  ): Promise<ReplyOf<R['update']>> {
    return ok(processorView(await this.processors.update(auth.merchantId, id, body)));
  }

  @Post('processor/:id')
  @HttpCode(200)
  @Route(PROCESSOR_ROUTES.updateByPost)
  async updateByPost(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() params: ParamsOf<R['update']>,
    @Body() body: BodyOf<R['update']>,
  ): Promise<ReplyOf<R['update']>> {
    return this.update(auth, params, body);
  }

  @Delete('processor/:id')
  @Route(PROCESSOR_ROUTES.remove)
  async delete(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['remove']>,
  ): Promise<ReplyOf<R['remove']>> {
    await this.processors.delete(auth.merchantId, id);
    return ok(null);
  }
}
