export const ARM64_NODE_VERSION: string;
export const ARM64_NODE: string;
