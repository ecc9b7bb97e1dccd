import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';

/**
 * The binding to glibc's adjtimex(3) through koffi (an FFI library whose prebuilt binaries come
 * from npm: nothing to compile at install). Read-only: every call passes modes 0, which changes
 * nothing in the kernel and needs no privilege. This file only makes the call; timex.ts turns the
 * fields into node_exporter's families.
 */

/** struct timex's fields as the kernel filled them (the raw integers, units as in adjtimex(2)). */
export interface TimexFields {
  readonly offset: number;
  readonly freq: number;
  readonly maxerror: number;
  readonly esterror: number;
  readonly status: number;
  readonly constant: number;
  readonly precision: number;
  readonly tolerance: number;
  readonly tick: number;
  readonly ppsfreq: number;
  readonly jitter: number;
  readonly shift: number;
  readonly stabil: number;
  readonly jitcnt: number;
  readonly calcnt: number;
  readonly errcnt: number;
  readonly stbcnt: number;
  readonly tai: number;
}

/** One adjtimex(modes 0) answer: the clock state it returned (TIME_OK ... TIME_ERROR) and the struct. */
export interface AdjtimexReading {
  readonly state: number;
  readonly timex: TimexFields;
}

/**
 * Reads the kernel's clock discipline: undefined where the binding cannot exist (koffi or glibc
 * cannot be loaded, or longs are not 64 bits); throws an Error with the errno `code` (EPERM where a
 * seccomp profile refuses the call) when adjtimex fails.
 */
export type Adjtimex = () => AdjtimexReading | undefined;

type Koffi = typeof import('koffi');
type RawCall = (buf: Record<string, unknown>) => number;

/** glibc's struct timex on LP64 (x86_64, aarch64): 208 bytes, the 11 trailing `int :32` as padding. */
const TIMEX_SIZE = 208;

function bind(koffi: Koffi): RawCall | undefined {
  if (koffi.sizeof('long') !== 8) return undefined;
  const timeval = koffi.struct({ tv_sec: 'long', tv_usec: 'long' });
  const timex = koffi.struct({
    modes: 'unsigned int',
    offset: 'long',
    freq: 'long',
    maxerror: 'long',
    esterror: 'long',
    status: 'int',
    constant: 'long',
    precision: 'long',
    tolerance: 'long',
    time: timeval,
    tick: 'long',
    ppsfreq: 'long',
    jitter: 'long',
    shift: 'int',
    stabil: 'long',
    jitcnt: 'long',
    calcnt: 'long',
    errcnt: 'long',
    stbcnt: 'long',
    tai: 'int',
    padding: koffi.array('int', 11),
  });
  if (koffi.sizeof(timex) !== TIMEX_SIZE) return undefined;
  const libc = koffi.load('libc.so.6');
  return libc.func('adjtimex', 'int', [koffi.inout(koffi.pointer(timex))]) as RawCall;
}

let loaded: { readonly call: RawCall; readonly koffi: Koffi } | null | undefined;

/** Loads koffi and libc on first use, once; null when either cannot be loaded here. */
function load(): typeof loaded {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const call = bind(koffi);
    if (call) loaded = { call, koffi };
  } catch {
    // No koffi binary for this platform, or no glibc (musl, another OS): the collector falls back.
  }
  return loaded;
}

const num = (v: unknown): number => Number(v);

/** adjtimex(2) with modes 0 (see Adjtimex). */
export const adjtimex: Adjtimex = () => {
  const binding = load();
  if (!binding) return undefined;
  const buf: Record<string, unknown> = { modes: 0 };
  const state = binding.call(buf);
  if (state === -1) {
    const errno = binding.koffi.errno();
    const code = errno > 0 ? getSystemErrorName(-errno) : 'UNKNOWN';
    throw Object.assign(new Error(`adjtimex: ${code}`), { code, errno });
  }
  return {
    state,
    timex: {
      offset: num(buf.offset),
      freq: num(buf.freq),
      maxerror: num(buf.maxerror),
      esterror: num(buf.esterror),
      status: num(buf.status),
      constant: num(buf.constant),
      precision: num(buf.precision),
      tolerance: num(buf.tolerance),
      tick: num(buf.tick),
      ppsfreq: num(buf.ppsfreq),
      jitter: num(buf.jitter),
      shift: num(buf.shift),
      stabil: num(buf.stabil),
      jitcnt: num(buf.jitcnt),
      calcnt: num(buf.calcnt),
      errcnt: num(buf.errcnt),
      stbcnt: num(buf.stbcnt),
      tai: num(buf.tai),
    },
  };
};
