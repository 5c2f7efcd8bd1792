/**
 * A decoder worker (decoders.ts): decodes the sprite sheets it is sent, into the shared memory
 * the job names or else sending their images back, or sends the DataError that names what is
 * wrong with one.
 */
import { DataError } from './dataError';
import { decodeSheet } from './decodeSheet';
import type { DecodeAnswer, DecodeJob } from './decoders';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (event: MessageEvent<DecodeJob>) => {
  const { id, shard, png, columns, into } = event.data;
  decodeSheet(shard, png, columns, into ?? undefined).then(
    (images) =>
      into
        ? self.postMessage({ id, images: null } satisfies DecodeAnswer)
        : self.postMessage({ id, images } satisfies DecodeAnswer, [images.buffer]),
    (e: unknown) =>
      self.postMessage({
        id,
        error:
          e instanceof DataError
            ? { code: e.code, message: e.message }
            : { code: 'data-corrupt', message: `${shard.file} could not be decoded: ${String(e)}` },
      } satisfies DecodeAnswer),
  );
};
