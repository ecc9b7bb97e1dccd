import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '../../../core/logger';

/** A logger whose records (the ECS JSON lines the console would print) land in `records`. */
export function capturingLogger(level: 'info' | 'debug' = 'info'): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level, silent: true, transports: [new winston.transports.Stream({ stream })] }), records };
}
