/** One event of a `text/event-stream`, as the stream spells it. */
export interface SseMessage {
  /** The `id:` field, when the event had one. */
  id?: string;
  /** The `event:` field (`message` when absent). */
  event: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
}

export interface SseParser {
  /** Feeds the next piece of the stream's text; complete events are dispatched at once. */
  push(text: string): void;
}

/**
 * An incremental parser for `text/event-stream` (the WHATWG rules: `field: value` lines,
 * `:` comments, LF, CR or CRLF line ends, multi-line data, a blank line ends an event).
 * `retry:` values go to `onRetry`.
 */
export function createSseParser(onMessage: (message: SseMessage) => void, onRetry?: (ms: number) => void): SseParser {
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;

  const line = (text: string) => {
    if (text === '') {
      if (data.length) onMessage({ ...(id !== undefined ? { id } : {}), event: event || 'message', data: data.join('\n') });
      data = [];
      event = '';
      id = undefined;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
  };

  return {
    push(text) {
      buffer += text;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end < 0) return;
        // A CR as the last character may be the first half of a CRLF still on its way.
        if (buffer[end] === '\r' && end === buffer.length - 1) return;
        const next = buffer[end] === '\r' && buffer[end + 1] === '\n' ? end + 2 : end + 1;
        const current = buffer.slice(0, end);
        buffer = buffer.slice(next);
        line(current);
      }
    },
  };
}
