import type { Block } from './blocks.js';
import type { SlackText } from './slack-text.js';

/**
 * A section of the health digest contributed by another part of clawops (tailnet and exposure
 * findings, open offboardings). The digest asks each provider for its section and places it
 * after the fleet summary; a provider that fails is reported as one line, never a missing digest.
 */
export interface DigestSection {
  title: string;
  /** At most 8 blocks: the digest has 50 in all for 500 gateways. */
  blocks: Block[];
  /** The text fallback, a few lines. */
  text: SlackText;
}

export interface DigestSectionProvider {
  name: string;
  build(window: { fromMs: number; toMs: number }): Promise<DigestSection | undefined>;
}
