import './register.js';

export type { FileLike } from './browser-files.js';
export { browserFiles } from './browser-files.js';
export { browserDownloads } from './downloads.js';
export type { HTTPOptions } from './http.js';
export { http } from './http.js';
export { browserIndexedDB } from './indexed-db.js';
export type { StorageLike } from './local-storage.js';
export { browserLocalStorage } from './local-storage.js';
export { listModels, removeModel } from './model-management.js';
export type { ModelArtifactsInfo } from './stored.js';
