import './register.js';

export { openTextFile } from './file-sink.js';
export { fileSystem } from './file-system.js';
