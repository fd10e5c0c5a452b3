// File system paths and URIs of documents, as the engine and the client see them.
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const EXTENSION_OF_LANGUAGE: Record<string, string> = {
  lockstep: '.lockstep',
  'kernel-c': '.kc',
};

/**
 * The file system path the engine sees for a document. The engine picks the
 * language by extension, so a document without the right one (an untitled
 * editor) gets its language's extension appended.
 */
export function documentPath(uri: string, languageId?: string): string {
  let p: string;
  try {
    p = uri.startsWith('file:') ? fileURLToPath(uri) : decodeURIComponent(new URL(uri).pathname || uri);
  } catch {
    p = uri;
  }
  const ext = languageId === undefined ? undefined : EXTENSION_OF_LANGUAGE[languageId];
  if (ext !== undefined && path.extname(p) !== ext) p += ext;
  return path.resolve(p);
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

export function isScenario(file: string): boolean {
  return file.endsWith('.lockstep');
}
