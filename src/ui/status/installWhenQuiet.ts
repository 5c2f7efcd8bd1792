/**
 * How long a first visit's page stays quiet (its data ready, no run going on) before it installs
 * its service worker (UpdateNotice.tsx says why). Apart from UpdateNotice so that the e2e tests
 * can read it without the virtual modules the notice imports.
 */
export const QUIET_MS = 3000;
