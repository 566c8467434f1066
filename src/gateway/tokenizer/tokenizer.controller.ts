import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../../platform/auth/auth.decorators';
import { objectBody } from '../../platform/http/body';
import { Route } from '../../platform/http/route-schema';
import { TOKENIZER_ROUTES } from '../transactions/transactions.routes';
import { ok } from '../../platform/http/envelope';
import { TokenizerService } from './tokenizer.service';

/** Rebill's tokenizer (an extension; docs/sandbox.md): a public key turns card details into a token. */
@ApiTags('tokenizer')
@Controller('api/tokenizer')
export class TokenizerController {
  constructor(private readonly tokenizer: TokenizerService) {}

  @Post('token')
  @HttpCode(200)
  @Route(TOKENIZER_ROUTES.create)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(await this.tokenizer.createToken(auth.merchantId, objectBody(raw)));
  }
}
