/** ISO-8601 UTC, the format every timestamp column uses (sorts correctly as text). */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
