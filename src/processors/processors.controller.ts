import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { objectBody } from '../platform/http/body';
import { list, ok } from '../platform/http/envelope';
import { processorView, ProcessorsService } from './processors.service';

/** Processors are configured in a control panel in the spec; Rebill exposes them here (docs/calculation.md). */
@ApiTags('processors')
@Controller('api')
export class ProcessorsController {
  constructor(private readonly processors: ProcessorsService) {}

  @Get('processors')
  async list(@CurrentMerchant() auth: MerchantAuth) {
    const all = await this.processors.list(auth.merchantId);
    return list(all.map(processorView), all.length);
  }

  @Get('processor/:id')
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(processorView(await this.processors.resolve(auth.merchantId, id)));
  }

  @Post('processor')
  @HttpCode(200)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(processorView(await this.processors.create(auth.merchantId, objectBody(raw))));
  }

  @Put('processor/:id')
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(processorView(await this.processors.update(auth.merchantId, id, objectBody(raw))));
  }

  @Post('processor/:id')
  @HttpCode(200)
  async updateByPost(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return this.update(auth, id, raw);
  }

  @Delete('processor/:id')
  async delete(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.processors.delete(auth.merchantId, id);
    return ok(null);
  }
}
