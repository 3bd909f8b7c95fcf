// The Node entry of the umbrella (the "node" export condition): everything of the default entry,
// plus `file://` URLs for model.save/loadModel and file names for CSVLogger.
export * from './index.js';
export * from '@descent/models/node';
