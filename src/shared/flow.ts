/**
 * Flow-control constants shared by the server and the web client.
 * A viewer that acknowledges (`ack {bytes}`) may have at most HIGH_WATERMARK unacknowledged
 * output bytes; past it the server stops sending live output to it and, once its acks fall
 * below LOW_WATERMARK, sends a fresh screen snapshot instead of the bytes it skipped.
 */
export const HIGH_WATERMARK = 2 * 1024 * 1024;
export const LOW_WATERMARK = 256 * 1024;
/** Output coalesced for a viewer while its previous frame is still in flight, at most. */
export const MAX_PENDING_BYTES = 2 * 1024 * 1024;
/** Clients should ack at least every this many parsed bytes. */
export const ACK_EVERY_BYTES = 64 * 1024;
/** Largest client frame (text or binary) the server accepts. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
