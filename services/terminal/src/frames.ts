import { StringDecoder } from 'node:string_decoder';
import {
  ClientFrameSchema,
  formatZodError,
  MAX_INPUT_FRAME_BYTES,
  TerminalQuerySchema,
  type ServerFrame,
} from '@rdv/core/schemas';
import { z } from 'zod';

/**
 * Largest text frame parsed as JSON. An input frame of MAX_INPUT_FRAME_BYTES characters
 * may grow up to six times when JSON-escaped (`\u0000`), so allow that much.
 */
export const MAX_TEXT_FRAME_BYTES = MAX_INPUT_FRAME_BYTES * 6 + 64;
/** Frames above this are refused by the websocket layer itself (close 1009). */
export const MAX_WS_PAYLOAD_BYTES = 1024 * 1024;

/** How output reaches a client: raw bytes in binary frames (default), or JSON `output` frames. */
export const OUTPUT_MODES = ['binary', 'json'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** `?cols=&rows=&output=` of the attach URL. */
export const AttachQuerySchema = TerminalQuerySchema.extend({
  output: z.enum(OUTPUT_MODES).default('binary'),
});
export type AttachQuery = z.infer<typeof AttachQuerySchema>;

/** A client frame after validation; binary input arrives as bytes. */
export type InboundFrame =
  | { type: 'input'; data: string | Buffer }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ping' };

export type ParsedFrame = { ok: true; frame: InboundFrame } | { ok: false; message: string };

const toBuffer = (data: Buffer | ArrayBuffer | Buffer[]): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/**
 * Validates one websocket message. A binary message is input bytes as they are (up to
 * MAX_INPUT_FRAME_BYTES); a text message must be a ClientFrame in JSON. Never throws:
 * a bad frame comes back as `{ ok: false, message }` for an `error` frame.
 */
export function parseClientFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ParsedFrame {
  const bytes = toBuffer(data);
  if (isBinary) {
    if (bytes.length > MAX_INPUT_FRAME_BYTES) {
      return { ok: false, message: `frame too large: binary input is limited to ${MAX_INPUT_FRAME_BYTES} bytes` };
    }
    return { ok: true, frame: { type: 'input', data: bytes } };
  }
  if (bytes.length > MAX_TEXT_FRAME_BYTES) {
    return { ok: false, message: `frame too large: ${bytes.length} bytes (at most ${MAX_TEXT_FRAME_BYTES})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  const parsed = ClientFrameSchema.safeParse(json);
  if (!parsed.success) return { ok: false, message: `invalid frame: ${formatZodError(parsed.error)}` };
  return { ok: true, frame: parsed.data };
}

export const encodeServerFrame = (frame: ServerFrame): string => JSON.stringify(frame);

/**
 * JSON `output` frames for one pty's byte stream: a multi-byte character split across
 * chunks is carried over to the next frame instead of being mangled. Feed it every
 * chunk of a stream, in order, or none; a new stream needs a new encoder.
 */
export interface OutputEncoder {
  encode(chunk: Buffer): string;
}

export function createOutputEncoder(): OutputEncoder {
  const decoder = new StringDecoder('utf8');
  return { encode: (chunk) => encodeServerFrame({ type: 'output', data: decoder.write(chunk) }) };
}
