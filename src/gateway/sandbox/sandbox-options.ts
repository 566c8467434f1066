import { Injectable } from '@nestjs/common';

/** Knobs of the sandbox that tests may turn (`app.get(SandboxOptions)`). */
@Injectable()
export class SandboxOptions {
  /**
   * How long the answer for a timeout test card is held back: longer than any client
   * waits (the HTTP adapter's default timeout is 30 s), so the client sees a timeout.
   */
  lateResponseMs = 35_000;
}
