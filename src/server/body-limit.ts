import { GraphQLError } from 'graphql';
import type { FetchAPI, Plugin } from 'graphql-yoga';

/** A client that keeps sending beyond this many times the limit is cut off instead of heard out. */
export const CUT_OFF_FACTOR = 4;

export function bodyTooLargeMessage(maxBytes: number): string {
  return `request body larger than ${maxBytes} bytes; split bulk imports`;
}

function bodyTooLarge(maxBytes: number): GraphQLError {
  // The connection closes after the answer: a client must not send its next request on it.
  return new GraphQLError(bodyTooLargeMessage(maxBytes), { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413, headers: { connection: 'close' } } } });
}

/**
 * The limit on a body of unknown length (chunked, no Content-Length; src/server/http.ts refuses a
 * Content-Length over it before Yoga). It replaces Yoga's maxRequestBodySize, which answers 413 as
 * soon as the count passes the limit and stops reading there: the rest of the body stays unread on
 * the connection, which then never serves another request (kept alive) or is reset under the
 * client (closed). Here the rest is read and dropped, and the 413 goes out once the client has
 * finished sending, as for a Content-Length over the limit.
 */
export function useChunkedBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (requestParser === undefined || request.body === null) return;
      const parse = requestParser;
      setRequestParser((parsed) => parse(limitBody(parsed, maxBytes, fetchAPI)));
    },
  };
}

function limitBody(request: Request, maxBytes: number, fetchAPI: FetchAPI): Request {
  if (request.body === null) return request;
  // A native stream needs the native TransformStream, a ponyfill one the ponyfill (as in Yoga's own limit).
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let received = 0;
  const limited = request.body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received <= maxBytes) controller.enqueue(chunk);
        else if (received > CUT_OFF_FACTOR * maxBytes) controller.error(bodyTooLarge(maxBytes));
        // In between: dropped, reading on so that the client finishes sending and reads the 413.
      },
      flush(controller) {
        if (received > maxBytes) controller.error(bodyTooLarge(maxBytes));
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: limited, duplex: 'half' } as RequestInit);
}
