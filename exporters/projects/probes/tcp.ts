import { connect } from 'node:net';
import { splitHostPort, type TcpCheck } from '../config';
import { networkReason, secondsSince, type Probe, type ProbeResult } from './probe';

/** Succeeds when a TCP connection to host:port is established; the connection is closed at once. */
export const probeTcp: Probe<TcpCheck> = (check, signal) => {
  const start = performance.now();
  const { host, port } = splitHostPort(check.address);
  return new Promise<ProbeResult>((resolve) => {
    if (signal.aborted) {
      resolve({ success: false, durationSeconds: 0, reason: 'aborted' });
      return;
    }
    const socket = connect({ host, port });
    let settled = false;
    const finish = (success: boolean, reason: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ success, durationSeconds: secondsSince(start), reason });
    };
    const onAbort = (): void => finish(false, 'aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true, ''));
    socket.on('error', (err) => finish(false, networkReason(err)));
  });
};
