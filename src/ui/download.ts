/** Hands the user a file made on the page (nothing is uploaded: a blob URL, clicked, let go). */

export function download(data: BlobPart, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  // The download has its own copy once clicked; the URL would otherwise hold the blob.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
