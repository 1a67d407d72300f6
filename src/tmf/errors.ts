/**
 * The TMF630 `Error` body, which every 4xx and 5xx of the TMF APIs carries: `code` is an
 * application code, `reason` a short explanation, `message` what the client can do about it,
 * `status` the HTTP status as text.
 */
export interface TmfErrorBody {
  code: string;
  reason: string;
  message?: string;
  status: string;
  referenceError?: string;
  '@type': 'Error';
}

/** A request the TMF facade refuses: thrown by a route, answered with the TMF `Error` body. */
export class TmfError extends Error {
  readonly status: number;
  readonly code: string;
  readonly reason: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, reason: string, message?: string, headers: Record<string, string> = {}) {
    super(message ?? reason);
    this.status = status;
    this.code = code;
    this.reason = reason;
    this.headers = headers;
  }

  body(): TmfErrorBody {
    return { code: this.code, reason: this.reason, message: this.message, status: String(this.status), '@type': 'Error' };
  }
}

export const badRequest = (message: string, code = 'INVALID_REQUEST') => new TmfError(400, code, 'Bad request', message);

export const notFound = (resource: string, id: string) => new TmfError(404, 'NOT_FOUND', 'Not found', `no ${resource} with id ${id}`);
