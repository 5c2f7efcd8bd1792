/** A TF.js model a user picked that this app cannot take, and why (shown on the page). */
export class LayersImportError extends Error {}
