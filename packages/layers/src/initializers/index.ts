export { Constant, Identity, Ones, Zeros } from './constant.js';
export type { ConstantArgs, IdentityArgs } from './constant.js';
export { computeFans, Initializer } from './initializer.js';
export { Orthogonal } from './orthogonal.js';
export type { OrthogonalArgs } from './orthogonal.js';
export { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
export type { RandomNormalArgs, RandomUniformArgs } from './random.js';
export { getInitializer, listInitializers, registerInitializer, serializeInitializer } from './registry.js';
export type { InitializerIdentifier, InitializerName } from './registry.js';
export {
  GlorotNormal,
  GlorotUniform,
  HeNormal,
  HeUniform,
  LeCunNormal,
  LeCunUniform,
  VarianceScaling,
} from './variance-scaling.js';
export type { Distribution, FanMode, SeedArgs, VarianceScalingArgs } from './variance-scaling.js';
