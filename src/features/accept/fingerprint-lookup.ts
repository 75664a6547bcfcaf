/**
 * The port through which the checklist asks for the gateway's latest success fingerprint. The
 * fingerprint store itself (Redis for the bot, a state file for `clawops check`) belongs to the
 * fingerprint feature; the composition root hands it in. Absent, the checklist says the line could
 * not be checked — never that it passed.
 */
export interface FingerprintRecord {
  recordedAt: Date;
  hash: string;
}

export interface FingerprintLookup {
  latest(gateway: string): Promise<FingerprintRecord | undefined>;
}
