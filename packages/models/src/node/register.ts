import { registerIORouter } from '../io/router.js';
import { registerFileSinkFactory } from '../io/text-sink.js';
import { openTextFile } from './file-sink.js';
import { fileSystem } from './file-system.js';

// Importing the Node entry is what makes `file://` URLs and CSVLogger file names work; the core
// stays free of `node:` imports so it also runs in browsers.
registerIORouter('file', (url) => fileSystem(url));
registerFileSinkFactory(openTextFile);
