/** A data file that could not be used; `code` tells missing (HTTP, network) from corrupt. */
export class DataError extends Error {
  readonly code: 'data-missing' | 'data-corrupt';
  constructor(code: 'data-missing' | 'data-corrupt', message: string) {
    super(message);
    this.code = code;
  }
}
