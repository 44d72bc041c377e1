// The default transport's answers as objects that read like WHATWG `Headers` and `Response`
// without being them. Node defines `fetch`, `Headers`, `Request`, `Response` and `FormData` as
// lazy globals: the first touch of any of them (even `typeof FormData`) loads Node's bundled
// undici, about 9 MB of memory per process, which a client that only sends batch POSTs over
// `node:http` never needs. Nothing here touches those globals until a caller asks for something
// only they do well (`blob()`, `formData()`), or for a real `Response` (`toWhatwgResponse`, for
// the calls that go through openapi-fetch).
import { Readable } from 'node:stream';

/** A web stream was read from or cancelled (Node's own check; typed for its streams only). */
const isDisturbed = (stream: ReadableStream): boolean =>
  Readable.isDisturbed(stream as unknown as Readable);

/** WHATWG's HTTP whitespace, stripped from both ends of a header value. */
const OUTER_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
/** A header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a header value may not hold: NUL, CR, LF, or a character beyond a byte (ByteString). */
const BAD_VALUE = /[\0\r\n]|[^\0-\xff]/;

function checkedName(name: string, method: string): string {
  const text = `${name}`;
  if (!TOKEN.test(text))
    throw new TypeError(`Headers.${method}: "${text}" is an invalid header name.`);
  return text.toLowerCase();
}

/**
 * The value as a header carries it. A refused one is not quoted in the error (as WHATWG
 * `Headers` does not quote it either): it may be a credential, `Authorization: Bearer <token>`.
 */
function checkedValue(name: string, value: string, method: string): string {
  const text = `${value}`.replace(OUTER_WHITESPACE, '');
  if (BAD_VALUE.test(text))
    throw new TypeError(
      `Headers.${method}: the value of "${name}" is an invalid header value (NUL, CR, LF or a character beyond U+00FF).`,
    );
  return text;
}

/** A pair list, a record or another headers object, as the `Headers` constructor takes. */
export type BufferedHeadersInit =
  HeadersInit | Iterable<readonly [string, string]> | Record<string, string>;

/**
 * Every value appended to `headers` and not since replaced, name by name (lowercase): what a copy
 * that reads the same (a clone, a real `Headers`) is made of.
 */
export let appendedHeaders: (headers: BufferedHeaders) => Iterable<readonly [string, string]>;
let copyHeaders: (headers: BufferedHeaders) => BufferedHeaders;

/**
 * Headers with WHATWG `Headers`' behaviour, undici-free: case-insensitive names; values trimmed
 * and checked the same way (a `TypeError` for a name or value `Headers` refuses); a repeated
 * header's values joined with `, ` (`; ` for `Cookie`), `Set-Cookie`'s kept apart for
 * `getSetCookie()` and iteration; iteration in lowercase name order, live as `Headers`' is.
 * Not `instanceof Headers`.
 */
export class BufferedHeaders implements Headers {
  /** Lowercase name → its values, in the order appended. */
  #values = new Map<string, string[]>();
  /** The iteration list, sorted once per change. */
  #sorted: Array<[string, string]> | undefined;

  static {
    appendedHeaders = function* (headers) {
      for (const [name, values] of headers.#values) for (const value of values) yield [name, value];
    };
    copyHeaders = (headers) => {
      const copy = new BufferedHeaders();
      for (const [name, values] of headers.#values) copy.#values.set(name, [...values]);
      return copy;
    };
  }

  constructor(init?: BufferedHeadersInit | null) {
    if (init === undefined || init === null) return;
    if (typeof init !== 'object')
      throw new TypeError(
        'Headers constructor: Argument 1 could not be converted to any of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.',
      );
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly string[]>) {
        if (pair.length !== 2)
          throw new TypeError(
            `Headers constructor: expected name/value pair to be length 2, found ${pair.length}.`,
          );
        this.append(pair[0]!, pair[1]!);
      }
    } else {
      const record = init as Record<string, string>;
      for (const name of Object.keys(record)) this.append(name, record[name]!);
    }
  }

  /** Headers as Node's parser hands them over (`rawHeaders`: name, value, name, value…). */
  static fromRaw(raw: readonly string[]): BufferedHeaders {
    const headers = new BufferedHeaders();
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    return headers;
  }

  append(name: string, value: string): void {
    const key = checkedName(name, 'append');
    const text = checkedValue(key, value, 'append');
    const values = this.#values.get(key);
    if (values) values.push(text);
    else this.#values.set(key, [text]);
    this.#sorted = undefined;
  }

  set(name: string, value: string): void {
    const key = checkedName(name, 'set');
    this.#values.set(key, [checkedValue(key, value, 'set')]);
    this.#sorted = undefined;
  }

  delete(name: string): void {
    if (this.#values.delete(checkedName(name, 'delete'))) this.#sorted = undefined;
  }

  get(name: string): string | null {
    const key = checkedName(name, 'get');
    const values = this.#values.get(key);
    if (values === undefined) return null;
    return values.length === 1 ? values[0]! : values.join(key === 'cookie' ? '; ' : ', ');
  }

  has(name: string): boolean {
    return this.#values.has(checkedName(name, 'has'));
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])];
  }

  forEach(
    callback: (value: string, name: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    // Read again at every step, as `Headers`' forEach: a header added on the way is visited.
    for (let i = 0; i < this.#list().length; i++) {
      const [name, value] = this.#list()[i]!;
      callback.call(thisArg, value, name, this);
    }
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#walk((pair) => [pair[0], pair[1]]);
  }

  keys(): HeadersIterator<string> {
    return this.#walk((pair) => pair[0]);
  }

  values(): HeadersIterator<string> {
    return this.#walk((pair) => pair[1]);
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  /** The iteration list: sorted names, each `set-cookie` value on its own. */
  #list(): Array<[string, string]> {
    if (this.#sorted) return this.#sorted;
    const list: Array<[string, string]> = [];
    for (const name of [...this.#values.keys()].sort()) {
      if (name === 'set-cookie')
        for (const cookie of this.#values.get(name)!) list.push([name, cookie]);
      else list.push([name, this.get(name)!]);
    }
    return (this.#sorted = list);
  }

  *#walk<T>(pick: (pair: [string, string]) => T): HeadersIterator<T> {
    for (let i = 0; i < this.#list().length; i++) yield pick(this.#list()[i]!);
    return undefined;
  }
}

/** Statuses whose answer has no body (`body` is null, as WHATWG fetch gives them). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const encoder = new TextEncoder();

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

export interface BufferedResponseInit {
  status: number;
  statusText?: string;
  headers?: BufferedHeaders | BufferedHeadersInit;
  /** The URL the answer came from, as fetch's `response.url`. Default ''. */
  url?: string;
}

/** Every {@link BufferedResponse}, and every real `Response` made from one. */
const readInFull = new WeakSet<object>();

/** True for an answer the default transport already read in full (nothing left to time out). */
export function isReadInFull(response: object): boolean {
  return readInFull.has(response);
}

/**
 * An answer whose body was read in full, as the default transport hands it over: what a
 * `Response` from `fetch` offers to read (`status`, `statusText`, `ok`, `headers`, `url`,
 * `redirected`, `type`, `bodyUsed`, `body`, `text()`, `json()`, `arrayBuffer()`, `bytes()`,
 * `blob()`, `formData()`, `clone()`), with the same rules (a body is read once: a second read
 * rejects, `clone()` of a read body throws; a 204's body is null and reads as ''), but not
 * `instanceof Response` and not made of undici. The text is decoded once and let go of when
 * read: `json()` of a 50-campaign answer parses that one string. `body` makes a stream only when
 * asked; `blob()` and `formData()` hand the bytes to a real `Response` (loading undici then).
 * The bytes `arrayBuffer()`, `bytes()` and `body` give are the UTF-8 of that text (the answer's
 * own bytes for a UTF-8 answer, less a leading BOM).
 */
export class BufferedResponse implements Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: BufferedHeaders;
  readonly url: string;
  readonly redirected = false;
  readonly type: ResponseType = 'basic';
  /** The body; undefined once read. */
  #text: string | undefined;
  readonly #nullBody: boolean;
  /** Read through a method (the stream, once made, tells for itself). */
  #read = false;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;

  constructor(text: string, init: BufferedResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText ?? '';
    this.headers =
      init.headers instanceof BufferedHeaders ? init.headers : new BufferedHeaders(init.headers);
    this.url = init.url ?? '';
    this.#nullBody = NULL_BODY_STATUSES.has(init.status);
    this.#text = this.#nullBody ? '' : text;
    readInFull.add(this);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return (
      !this.#nullBody && (this.#read || (this.#stream !== undefined && isDisturbed(this.#stream)))
    );
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#nullBody) return null;
    if (this.#stream) return this.#stream;
    // Made on first ask, with nothing pulled: reading it is what uses the body.
    this.#stream = new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        pull: (controller) => {
          const text = this.#take();
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
        },
        cancel: () => {
          this.#text = undefined;
        },
      },
      { highWaterMark: 0 },
    );
    // A body read before anyone asked for its stream: the stream is spent, as `Response`'s is.
    if (this.#read) void this.#stream.getReader().read();
    return this.#stream;
  }

  /** The body as text, once (a null body: '' every time). */
  text(): Promise<string> {
    if (this.#nullBody) return Promise.resolve('');
    if (this.#unusable()) return Promise.reject(unusable());
    if (this.#stream) return readStream(this.#stream);
    this.#read = true;
    return Promise.resolve(this.#take() ?? '');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return encoder.encode(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes.buffer
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  /** Made by a real `Response` (its MIME type rules; this call loads undici). */
  async blob(): Promise<Blob> {
    return this.#whatwg(await this.bytes()).blob();
  }

  /** Parsed by a real `Response` (this call loads undici). */
  async formData(): Promise<FormData> {
    return this.#whatwg(await this.bytes()).formData();
  }

  clone(): BufferedResponse {
    if (!this.#nullBody && this.#unusable())
      throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#text ?? '', {
      status: this.status,
      statusText: this.statusText,
      headers: copyHeaders(this.headers),
      url: this.url,
    });
  }

  get [Symbol.toStringTag](): string {
    return 'BufferedResponse';
  }

  /** A real `Response` of `bytes` with these headers, for the reads only it knows how to do. */
  #whatwg(bytes: Uint8Array<ArrayBuffer>): Response {
    return new globalThis.Response(bytes, {
      headers: [...appendedHeaders(this.headers)] as Array<[string, string]>,
    });
  }

  #unusable(): boolean {
    return (
      this.#read ||
      (this.#stream !== undefined && (this.#stream.locked || isDisturbed(this.#stream)))
    );
  }

  /** The body, handed over once: the response keeps no copy. */
  #take(): string | undefined {
    const text = this.#text;
    this.#text = undefined;
    return text;
  }
}

async function readStream(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

type WhatwgBufferedClass = new (buffered: BufferedResponse) => Response;
let WhatwgBuffered: WhatwgBufferedClass | undefined;

/**
 * A real `Response` over `buffered` (made on first use: the class extends the global `Response`),
 * for the calls that go through openapi-fetch, whose middlewares and tracing get WHATWG objects:
 * real `Headers`, `instanceof Response`, and the body read from `buffered`'s one string.
 */
export function toWhatwgResponse(buffered: BufferedResponse): Response {
  WhatwgBuffered ??= class extends Response {
    readonly #buffered: BufferedResponse;

    constructor(inner: BufferedResponse) {
      super(null, {
        status: inner.status,
        statusText: inner.statusText,
        headers: [...appendedHeaders(inner.headers)] as Array<[string, string]>,
      });
      this.#buffered = inner;
      readInFull.add(this);
    }

    override get url(): string {
      return this.#buffered.url;
    }
    override get type(): ResponseType {
      return this.#buffered.type;
    }
    override get bodyUsed(): boolean {
      return this.#buffered.bodyUsed;
    }
    override get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
      return this.#buffered.body;
    }
    override text(): Promise<string> {
      return this.#buffered.text();
    }
    override json(): Promise<unknown> {
      return this.#buffered.json();
    }
    override bytes(): Promise<Uint8Array<ArrayBuffer>> {
      return this.#buffered.bytes();
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      return this.#buffered.arrayBuffer();
    }
    override blob(): Promise<Blob> {
      return this.#buffered.blob();
    }
    override formData(): Promise<FormData> {
      return this.#buffered.formData();
    }
    override clone(): Response {
      return toWhatwgResponse(this.#buffered.clone());
    }
  };
  return new WhatwgBuffered(buffered);
}
