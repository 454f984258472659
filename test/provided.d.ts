export {};

/** What test/global-setup.ts provides to every test file. */
declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: { kind: 'pglite'; dump: string } | { kind: 'postgres'; url: string; template: string };
  }
}

