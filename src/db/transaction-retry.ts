/**
 * Retries a transaction that PostgreSQL aborted for a deadlock (40P01) or a serialization failure
 * (40001): both mean "run me again", never "this data is bad".
 */
const RETRYABLE = new Set(['40P01', '40001']);

export async function withTransactionRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= attempts || code === undefined || !RETRYABLE.has(code)) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 50 * attempt));
    }
  }
}
