/**
 * node-fetch, as the compiled bundle gives it to epub-gen-memory (compile.ts):
 * Colophon hands it no remote image or font to fetch, and a build is offline,
 * so a fetch it asks for fails, naming what it asked for.
 */
export default function offlineFetch(url: string): Promise<never> {
  return Promise.reject(new Error(`A build does not go online, and the EPUB generator asked for ${url}.`));
}
