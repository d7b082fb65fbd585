import { isApiErrorSlug } from '@wxh5/contracts';
import { ApiError } from '../api-error';
import type { Messages } from './messages/zh-cn';

/**
 * A sentence in the catalogue's language for any thrown value. The api's stable slug picks the words; the
 * envelope's `message` (English, for developers) is never shown. An unknown slug gets the generic sentence.
 */
export function describeError(error: unknown, m: Messages): string {
  if (error instanceof ApiError) {
    if (isApiErrorSlug(error.slug)) return m.errors[error.slug];
    if (error.slug === 'network_error' || error.slug === 'bad_response') return m.errors[error.slug];
  }
  return m.errors.unknown_error;
}
