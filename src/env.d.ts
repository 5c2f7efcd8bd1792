/// <reference types="vite-plugin-pwa/client" />
/**
 * True in development and test builds (vite.config.ts): the test and benchmark hooks of src/dev/
 * are loaded. False in the production build, which then contains none of them.
 */
declare const __DEV_HOOKS__: boolean;
