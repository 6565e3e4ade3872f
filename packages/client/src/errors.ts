import { AppError, HTTP_STATUS, type ErrorBody, type ErrorCode } from '@rdv/core/errors';
import { ErrorBodySchema } from '@rdv/core/schemas';

const CODE_OF_STATUS = new Map<number, ErrorCode>(Object.entries(HTTP_STATUS).map(([code, status]) => [status, code as ErrorCode]));

/**
 * rdv's `{error:{code,message}}` in an answer's body (parsed JSON or its text), or null
 * when the body is something else (empty, a plain-text refusal, a proxy's HTML page).
 */
export function parseErrorBody(body: unknown): ErrorBody['error'] | null {
  let json = body;
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body);
    } catch {
      return null;
    }
  }
  const parsed = ErrorBodySchema.safeParse(json);
  return parsed.success ? parsed.data.error : null;
}

/**
 * The AppError a non-2xx answer stands for: the server's own code and message when the
 * body is rdv's `{error:{code,message}}` (as parsed JSON or as text), else a code read
 * from the status and the body's text when it is short plain text (not an HTML page).
 */
export function errorFromResponse(status: number, body: unknown): AppError {
  const error = parseErrorBody(body);
  if (error) return new AppError(error.code, error.message);
  const text = typeof body === 'string' ? body.trim() : '';
  const message = text && text.length <= 200 && !text.startsWith('<') ? text : `request failed (HTTP ${status})`;
  return new AppError(CODE_OF_STATUS.get(status) ?? 'internal', message);
}
