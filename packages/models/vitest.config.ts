export { backendMatrix as default } from '../../vitest.shared.js';
