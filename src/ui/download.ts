/** Hands the user a file made on the page (nothing is uploaded: a blob URL, clicked, let go). */

/** A file name from a run's name: "Run 3 MLP 784-64-10" -> "run-3-mlp-784-64-10". */
export function fileName(name: string, extension: string): string {
  const base =
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'run';
  return `${base}.${extension}`;
}

export function download(data: BlobPart, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The download has its own copy once clicked; the URL would otherwise hold the blob.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
