export { parseConfig, type NodeConfig } from './config.ts';
export { initRegion, startRegionNode, LATCHKEY_VERSION, type RegionNode, type RegionNodeOptions } from './region-node.ts';
