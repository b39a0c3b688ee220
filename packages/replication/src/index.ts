export { encodeChange, decodeChange } from './change-codec.ts';
export { JetStreamReplicator, isTimeout, type ReplicatorOptions, type StreamMessage, type MessageHandler } from './jetstream-replicator.ts';
export { leaderHasQuorum, QUORUM_ACTIVE_MS, type StreamClusterView } from './stream-quorum.ts';
