/** Typings for the part of pako that pdf-deflate.ts replaces (pako 1 ships none). */
declare module 'pako' {
  const pako: { deflate: (data: Uint8Array) => Uint8Array; colophonZlib?: true };
  export default pako;
}
