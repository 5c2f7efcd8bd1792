/**
 * A decoder worker (decoders.ts): decodes the sprite sheets whose bytes it is sent as they arrive,
 * several at once, into the shared memory the job names or else sending their images back, or
 * sends the DataError that names what is wrong with one.
 */
import { DataError } from './dataError';
import { SheetReader } from './decodeSheet';
import type { DecodeAnswer, DecodeMessage } from './decoders';

declare const self: DedicatedWorkerGlobalScope;

/** The sheets being read, by job id: several stream in at once. */
const reading = new Map<number, { reader: SheetReader; shared: boolean; file: string }>();

self.onmessage = (event: MessageEvent<DecodeMessage>) => {
  const msg = event.data;
  if (msg.type === 'start') {
    const { id, shard, columns, into } = msg;
    try {
      reading.set(id, {
        reader: new SheetReader(shard, columns, into ?? undefined),
        shared: !!into,
        file: shard.file,
      });
    } catch (e) {
      answerFault(id, shard.file, e);
    }
    return;
  }
  const job = reading.get(msg.id);
  if (!job) return;
  if (msg.type === 'bytes') {
    job.reader.push(msg.bytes);
    return;
  }
  reading.delete(msg.id);
  job.reader.end().then(
    (images) =>
      job.shared
        ? self.postMessage({ id: msg.id, images: null } satisfies DecodeAnswer)
        : self.postMessage({ id: msg.id, images } satisfies DecodeAnswer, [images.buffer]),
    (e: unknown) => answerFault(msg.id, job.file, e),
  );
};

function answerFault(id: number, file: string, e: unknown): void {
  self.postMessage({
    id,
    error:
      e instanceof DataError
        ? { code: e.code, message: e.message }
        : { code: 'data-corrupt', message: `${file} could not be decoded: ${String(e)}` },
  } satisfies DecodeAnswer);
}
