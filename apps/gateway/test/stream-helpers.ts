// The progress stream as a client reads it: a raw POST to /graphql/stream and its Server-Sent
// Events, parsed as they arrive (every byte kept, for the secret scans).
import { STREAM_PATH } from '../src/stream/handler.js';

export interface SseEvent {
  /** `next`, `complete`, or `comment` for a `:` line (heartbeats, the farewell). */
  event: string;
  data: unknown;
}

export interface OpenedStream {
  status: number;
  response: Response;
  /** The events, in order, as they arrive; ends with the response. */
  events: AsyncGenerator<SseEvent>;
  /** Everything received so far. */
  readonly text: string;
}

export const STREAM_HEADERS = {
  'content-type': 'application/json',
  accept: 'text/event-stream',
};

/** POSTs `body` to the stream endpoint of `origin`. */
export async function openStream(
  origin: string,
  body: unknown,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Promise<OpenedStream> {
  const response = await fetch(`${origin}${STREAM_PATH}`, {
    method: 'POST',
    headers: { ...STREAM_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  let text = '';
  async function* events(): AsyncGenerator<SseEvent> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const piece = decoder.decode(chunk, { stream: true });
      text += piece;
      buffer += piece;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        yield parseBlock(block);
      }
    }
  }
  return {
    status: response.status,
    response,
    events: events(),
    get text() {
      return text;
    },
  };
}

function parseBlock(block: string): SseEvent {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { event: 'comment', data: line.slice(1).trim() };
    if (line.startsWith('event:')) event = line.slice('event:'.length).trim();
    else if (line.startsWith('data:')) data += line.slice('data:'.length).trim();
  }
  return { event, data: data === '' ? null : (JSON.parse(data) as unknown) };
}

/** Every event until the stream ends, heartbeats left out. */
export async function allEvents(stream: OpenedStream): Promise<SseEvent[]> {
  const seen: SseEvent[] = [];
  for await (const event of stream.events)
    if (!(event.event === 'comment' && event.data === '')) seen.push(event);
  return seen;
}

/** The GraphQL errors of a stream that answered with one `next` event and `complete`. */
export async function streamErrors(
  stream: OpenedStream,
): Promise<Array<{ message: string; extensions: Record<string, unknown> }>> {
  const events = await allEvents(stream);
  const last = events.at(-1);
  if (last?.event !== 'complete' || events.length !== 2)
    throw new Error(`expected one next event and complete, got ${JSON.stringify(events)}`);
  return (
    events[0]!.data as { errors: Array<{ message: string; extensions: Record<string, unknown> }> }
  ).errors;
}
