import { z } from 'zod';
import type { ApiErrorSlug } from './errors';

/** Success envelope: `{"code": 0, "data": …}`. */
export interface ApiSuccess<T> {
  code: 0;
  data: T;
}

/** Failure envelope: `{"code": <non-zero>, "error": "<slug>", "message": "<human text>"}`. */
export interface ApiFailure {
  code: number;
  error: ApiErrorSlug;
  message: string;
}

export type ApiEnvelope<T> = ApiSuccess<T> | ApiFailure;

export const apiFailureSchema = z.object({
  code: z
    .number()
    .int()
    .refine((n) => n !== 0, 'a failure code is non-zero'),
  error: z.string(),
  message: z.string(),
});

export function isApiFailure(body: unknown): body is ApiFailure {
  return apiFailureSchema.safeParse(body).success;
}
