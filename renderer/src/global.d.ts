import type { OctozipApi } from '../../electron/contract.ts';

declare global {
  interface Window {
    /** Exposed by the preload (electron/app/preload.ts) or, in e2e tests, by the test bridge. */
    octozip: OctozipApi;
  }
}

export {};
