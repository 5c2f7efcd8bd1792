/**
 * What the worker's command handlers share, and what the dev hooks (src/dev/worker/, dev and test
 * builds only) reach: the backend, the session once init has run, and the way out to the page.
 */
import type { ErrorCode } from '../shared/protocol';
import type { BackendManager } from './backend';
import type { Emit } from './run/lossChunker';
import type { Session } from './session';

/** A command that cannot be carried out, with the code the page shows it under. */
export class CommandError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface WorkerContext {
  backend: BackendManager;
  post: Emit;
  /** The session, once init has run. */
  ready(): Promise<Session>;
  /** Whether a run is under way. */
  busy(): boolean;
}

/** A handler for commands outside the protocol (the dev hooks); true when it took the message. */
export type ExtraHandler = (msg: { type: string; requestId?: number }) => Promise<boolean>;
