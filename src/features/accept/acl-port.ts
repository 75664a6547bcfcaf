/**
 * What the checklist reads of the ACL audit (the acl feature's `AclAuditService` answers it; the
 * composition root hands it in, since feature slices do not import each other).
 */
export type AclAuditAnswer =
  | {
      ok: true;
      audit: {
        findings: Array<{ id: string; gateway: string; message: string }>;
        access: Array<{ gateway: string; target: string; port: number; sources: string[]; rules: Array<{ section: string; index: number }> }>;
      };
      validation: { status: 'skipped' | 'passed' | 'error' } | { status: 'failed'; message: string };
      notes: string[];
    }
  | { ok: false; at: string; stage: 'config' | 'fetch' | 'parse'; message: string };

export interface AclAuditPort {
  audit(request: { gateways: readonly string[] }): Promise<AclAuditAnswer>;
}
