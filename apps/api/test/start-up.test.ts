import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDeps } from '../src/create-deps';
import { createLogger } from '../src/logger';
import { DependencyError } from '../src/shared/dependency-error';
import { retryAtStartUp } from '../src/shared/retry-at-start-up';
import { testConfig, testEnv } from './support';

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

async function startUpError(
  env: Record<string, string>,
  logger = capturedLogger().logger,
): Promise<DependencyError> {
  const config = testConfig({
    emulatorUrl: 'http://127.0.0.1:9',
    publicBaseUrl: 'http://127.0.0.1:3000',
    env: { STARTUP_RETRY_SECONDS: '2', ...env },
  });
  const error = await createDeps(config, { logger }).then(
    async (handle) => {
      await handle.close();
      throw new Error('createDeps started');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DependencyError);
  return error as DependencyError;
}

describe('retryAtStartUp', () => {
  const logger = capturedLogger().logger;

  it('retries a retryable failure until it succeeds', async () => {
    let calls = 0;
    const value = await retryAtStartUp(
      () => {
        calls += 1;
        return calls < 3
          ? Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
          : Promise.resolve('up');
      },
      { target: 'X at h:1', deadlineMs: 60_000, logger, retryable: () => true },
    );
    expect(value).toBe('up');
    expect(calls).toBe(3);
  });

  it('stops at once on a failure that is not retryable, and at the deadline on one that is', async () => {
    const refused = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    const once = await retryAtStartUp(() => Promise.reject(refused), {
      target: 'PostgreSQL at h:5432/db',
      deadlineMs: 60_000,
      logger,
      retryable: () => false,
    }).catch((err: unknown) => err as DependencyError);
    expect(once).toBeInstanceOf(DependencyError);
    expect(once.message).toMatch(
      /^PostgreSQL at h:5432\/db failed with 28P01: password authentication failed \(1 attempt over \d+ s\)$/,
    );
    // A deadline shorter than the first backoff: one attempt, then the error.
    const bounded = await retryAtStartUp(() => Promise.reject(refused), {
      target: 'X',
      deadlineMs: 100,
      logger,
      retryable: () => true,
    }).catch((err: unknown) => err as DependencyError);
    expect(bounded.attempts).toBe(1);
  });
});

describe('start-up with a dependency down', () => {
  it('gives up on an unreachable Redis after a bounded retry, naming the host and the error code', async () => {
    const port = await closedPort();
    const { logger, lines } = capturedLogger();
    const error = await startUpError({ REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` }, logger);
    expect(error.message).toContain(`Redis at 127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('hunter2');
    // Logged once for the outage, with its code in clear (not "[redacted]"), not once per retry.
    const outages = lines.filter((line) => String(line.msg).includes('unreachable'));
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ errorCode: 'ECONNREFUSED' });
  }, 30_000);

  it('gives up on an unreachable PostgreSQL after a bounded retry, naming the host and the error code', async () => {
    const port = await closedPort();
    const error = await startUpError({ DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/test` });
    expect(error.message).toContain(`PostgreSQL at 127.0.0.1:${port}/test`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('hunter2');
  }, 30_000);

  it('does not retry a PostgreSQL that answers no (an unknown database), and says why', async () => {
    const error = await startUpError({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/wxh5_no_such_database',
    });
    expect(error.message).toContain('PostgreSQL at 127.0.0.1:5432/wxh5_no_such_database');
    expect(error.errorCode).toBe('3D000');
    expect(error.message).toContain('does not exist');
    expect(error.attempts).toBe(1);
  }, 30_000);

  it('exits non-zero with the cause in words when Redis is unreachable at start-up', async () => {
    const port = await closedPort();
    const cwd = mkdtempSync(path.join(tmpdir(), 'wxh5-start-up-'));
    const env = testEnv({
      emulatorUrl: 'http://127.0.0.1:9',
      publicBaseUrl: 'http://127.0.0.1:3000',
      env: {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        STARTUP_RETRY_SECONDS: '1',
      },
    });
    try {
      const child = spawn(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), path.resolve(import.meta.dirname, '../src/main.ts')],
        { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`Redis at 127.0.0.1:${port} failed with ECONNREFUSED`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
