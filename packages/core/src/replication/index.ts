export * from './state-change.ts';
export * from './apply-decision.ts';
export * from './key-change-builder.ts';
export * from './credential-change.ts';
export * from './version-confirmation.ts';
