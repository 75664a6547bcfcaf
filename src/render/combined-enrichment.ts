import type { DiagnosisContext } from '../diagnosis/diagnose.js';
import type { CheckEnrichment } from './enrichment.js';
import { joinText } from './slack-text.js';

/**
 * Several parts enrich a check post (history: a version change; offboarding: a token rotation and
 * the reminder block): their contexts are merged, their footers stacked in order. One part that
 * fails is left out, as `contextOrEmpty`/`footerOrNone` do for a single one.
 */
export function combineEnrichments(...parts: Array<CheckEnrichment | undefined>): CheckEnrichment {
  const present = parts.filter((part): part is CheckEnrichment => part !== undefined);
  return {
    async contextFor(report) {
      const contexts = await Promise.all(present.map((part) => Promise.resolve(part.contextFor?.(report)).catch(() => undefined)));
      return Object.assign({}, ...contexts.filter(Boolean)) as DiagnosisContext;
    },
    async annotationsFor(report, diagnosis) {
      const lists = await Promise.all(present.map((part) => Promise.resolve(part.annotationsFor?.(report, diagnosis)).catch(() => undefined)));
      return lists.flatMap((list) => list ?? []);
    },
    async footerFor(gateways) {
      const footers = (await Promise.all(present.map((part) => Promise.resolve(part.footerFor?.(gateways)).catch(() => undefined)))).filter(
        (footer) => footer !== undefined,
      );
      if (footers.length === 0) return undefined;
      return {
        blocks: footers.flatMap((footer) => footer.blocks),
        text: joinText(
          footers.map((footer) => footer.text),
          '\n',
        ),
      };
    },
  };
}
