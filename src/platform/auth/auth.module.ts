import { Global, Module } from '@nestjs/common';
import { TokenService } from './jwt';

/** The JWT service, shared by the ApiKeyGuard (verify) and POST /api/token-auth (issue). */
@Global()
@Module({ providers: [TokenService], exports: [TokenService] })
export class AuthModule {}
