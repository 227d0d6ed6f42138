/**
 * `--queue redis://[user:pass@]HOST:PORT[/DB][?queue=NAME]`: the Redis connection and the BullMQ
 * queue name (default 'trainscope'), and a reachability check that fails in seconds with one
 * clear line instead of ioredis' endless reconnects.
 */
import { Redis, type RedisOptions } from 'ioredis';

export interface QueueTarget {
  connection: RedisOptions;
  queueName: string;
  /** The URL without its password, for messages. */
  display: string;
}

export const INSTALL_HINT = 'start one with: apt-get install -y redis-server (then redis-server --port 6379)';

export function parseQueueUrl(url: string): QueueTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--queue expects redis://HOST:PORT[/DB][?queue=NAME], got '${url}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--queue expects a redis:// URL, got '${url}'`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`--queue ${url}: the path must be a database number, got '/${db}'`);
  const queueName = u.searchParams.get('queue') ?? 'trainscope';
  if (!/^[A-Za-z0-9._-]+$/.test(queueName)) throw new Error(`--queue ${url}: queue name '${queueName}' may use letters, digits, '.', '_' and '-' only`);
  const connection: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking commands need this; they wait for a reconnect rather than fail.
    maxRetriesPerRequest: null,
  };
  const display = `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}/${db || '0'}${queueName !== 'trainscope' ? `?queue=${queueName}` : ''}`;
  return { connection, queueName, display };
}

/** Resolve when Redis answers PING within `timeoutMs`; otherwise one clear error. */
export async function checkRedis(target: QueueTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    ...target.connection,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let cause: NodeJS.ErrnoException | undefined;
  client.on('error', (e: NodeJS.ErrnoException) => {
    cause ??= e;
  }); // reported below, once
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    // ioredis rejects with 'Connection is closed.'; the socket's own error says why.
    const err = cause ?? (e as NodeJS.ErrnoException);
    throw new Error(`cannot reach Redis at ${target.display} (${err.code ?? err.message}); ${INSTALL_HINT}`);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
