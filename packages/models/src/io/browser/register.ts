import { registerIORouter } from '../router.js';
import { browserDownloads } from './downloads.js';
import { http } from './http.js';
import { browserIndexedDB } from './indexed-db.js';
import { browserLocalStorage } from './local-storage.js';

// Registering touches no browser global: each handler looks for IndexedDB, localStorage or a page
// when it is used, and says so by name when the environment lacks it, so importing works in Node.
registerIORouter('indexeddb', (url) => browserIndexedDB(url));
registerIORouter('localstorage', (url) => browserLocalStorage(url));
registerIORouter('downloads', (url) => browserDownloads(url));
registerIORouter('http', (url) => http(url));
registerIORouter('https', (url) => http(url));
