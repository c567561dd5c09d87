/**
 * Server-sent events for both bindings: the first event is awaited before any header is written, so an early
 * failure (unknown task, terminal task) is a plain error answer, not a 200 stream carrying one error event.
 */
import { SSE_HEADERS, formatSSEErrorEvent, formatSSEEvent } from '@a2a-js/sdk';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';

export type OpenedStream<T> =
  | { ok: true; iterator: AsyncIterator<T>; first: IteratorResult<T> }
  | { ok: false; error: unknown };

export async function openStream<T>(stream: AsyncIterable<T>): Promise<OpenedStream<T>> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    return { ok: true, iterator, first: await iterator.next() };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface SseOptions<T> {
  heartbeatMs: number;
  log: FastifyBaseLogger;
  toEvent: (value: T) => unknown;
  toError: (err: unknown) => unknown;
}

/**
 * Writes an opened stream as SSE, with `: ping` comments between events. It keeps reading the SDK's generator after
 * the client disconnects: the SDK persists task state inside it, and a task would otherwise stay WORKING forever.
 */
export async function pipeSse<T>(
  reply: FastifyReply,
  stream: { iterator: AsyncIterator<T>; first: IteratorResult<T> },
  options: SseOptions<T>,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...SSE_HEADERS });
  let connected = true;
  const write = (chunk: string) => {
    if (connected && !res.writableEnded) res.write(chunk);
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
  heartbeat.unref();
  res.once('close', () => {
    connected = false;
    clearInterval(heartbeat);
  });
  try {
    if (!stream.first.done) write(formatSSEEvent(options.toEvent(stream.first.value)));
    for (;;) {
      const next = await stream.iterator.next();
      if (next.done) break;
      write(formatSSEEvent(options.toEvent(next.value)));
    }
  } catch (err) {
    options.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'a2a stream ended with an error');
    write(formatSSEErrorEvent(options.toError(err)));
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}
