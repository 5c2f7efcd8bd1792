/**
 * How the worker speaks to the page: every message goes through an `Emit` (the worker's
 * postMessage, or a test's recorder), and every failure becomes an `error` message with a code
 * the page shows it under.
 */
import { DataNotReady } from '../engines/data';
import type { ErrorCode, FromWorker } from '../shared/protocol';
import { DataError } from './data/dataError';

/** Posts `msg` to the page, transferring `transfer`. */
export type Emit = (msg: FromWorker, transfer?: Transferable[]) => void;

/** A command that cannot be carried out, with the code the page shows it under. */
export class CommandError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** `e` as the page hears it, about the run or request of `ids`. */
export function errorMessage(e: unknown, ids: { runId?: number; requestId?: number } = {}): FromWorker {
  const code: ErrorCode =
    e instanceof CommandError || e instanceof DataError
      ? e.code
      : e instanceof DataNotReady
        ? 'data-not-ready'
        : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  return { type: 'error', code, message, ...ids };
}
