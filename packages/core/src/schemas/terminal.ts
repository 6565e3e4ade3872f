import { z } from 'zod';

/** Largest input frame the terminal service accepts, in bytes. */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input'), data: z.string().max(MAX_INPUT_FRAME_BYTES) }).strict(),
  z
    .object({ type: z.literal('resize'), cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) })
    .strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('output'), data: z.string() }),
  z.object({ type: z.literal('exit'), code: z.number().int().nullable() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({ type: z.literal('pong') }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

export const TerminalQuerySchema = z.object({
  cols: z.coerce.number().int().min(2).max(1000).default(80),
  rows: z.coerce.number().int().min(2).max(500).default(24),
});
