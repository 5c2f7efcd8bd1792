/**
 * The data set as every engine gets it: the CPU copy the worker loaded, and the forms engines
 * build from it (tensors on a device, sparse rows), kept across runs so that a new run does not
 * upload 188 MB again. Forms that hold device memory are dropped when the backend changes.
 */
import type { MnistData } from '../shared/mnist';

export type Split = 'train' | 'test';

/** Thrown when an engine needs the data before it has loaded. */
export class DataNotReady extends Error {
  constructor() {
    super('The MNIST data has not finished loading yet.');
  }
}

interface Form {
  value: unknown;
  /** Releases device memory; absent for plain CPU arrays. */
  dispose?: () => void;
}

export class ResidentData {
  private mnist: MnistData | null = null;
  private readonly forms = new Map<string, Form>();

  /** Whether the data set has loaded. */
  get loaded(): boolean {
    return this.mnist !== null;
  }

  /** Makes `mnist` the data set; every form of the old one is dropped. */
  set(mnist: MnistData): void {
    this.dropForms(() => true);
    this.mnist = mnist;
  }

  /** The data set; throws DataNotReady before it has loaded. */
  require(): MnistData {
    if (!this.mnist) throw new DataNotReady();
    return this.mnist;
  }

  /**
   * The form `key` of the data set, built by `build` on first use and kept. `dispose`, when given,
   * marks it as device memory: it is released by dropDeviceForms.
   */
  form<T>(key: string, build: (mnist: MnistData) => T, dispose?: (value: T) => void): T {
    let form = this.forms.get(key);
    if (!form) {
      const value = build(this.require());
      form = { value, dispose: dispose && (() => dispose(value)) };
      this.forms.set(key, form);
    }
    return form.value as T;
  }

  /** The form `key` when it has been built (or adopted); undefined otherwise. */
  peek<T>(key: string): T | undefined {
    return this.forms.get(key)?.value as T | undefined;
  }

  /** Makes `value` the form `key` (one built elsewhere from this same data set, a plain CPU one). */
  adopt<T>(key: string, value: T): void {
    this.require();
    this.forms.set(key, { value });
  }

  /** Releases every form held on a device (after a backend switch, or a lost context). */
  dropDeviceForms(): void {
    this.dropForms((f) => f.dispose !== undefined);
  }

  private dropForms(which: (f: Form) => boolean): void {
    for (const [key, form] of this.forms) {
      if (!which(form)) continue;
      this.forms.delete(key);
      try {
        form.dispose?.();
      } catch {
        // The memory of a lost context is gone with it.
      }
    }
  }
}
