/** The gateway API's response envelope. */
export interface SuccessEnvelope<T> {
  status: 'success';
  msg: string;
  data: T;
  total_count?: number;
}

export interface FailureEnvelope {
  status: 'failed';
  msg: string;
}

export function ok<T>(data: T, msg = 'success'): SuccessEnvelope<T> {
  return { status: 'success', msg, data };
}

export function list<T>(
  data: T[],
  totalCount: number,
): SuccessEnvelope<T[]> & { total_count: number } {
  return { status: 'success', msg: 'success', total_count: totalCount, data };
}

export function failed(msg: string): FailureEnvelope {
  return { status: 'failed', msg };
}
