import psl from 'psl';
import freemailDomains from 'email-providers/all.json' with { type: 'json' };

/**
 * Domain facts used by the enrichment rules. The freemail list is the `email-providers` package
 * (~8,700 consumer mail domains, maintained upstream); a workspace can add to it or take domains
 * out of it (a provider wrongly listed as personal must not stop company creation).
 */
const FREEMAIL: ReadonlySet<string> = new Set(freemailDomains);

export interface FreemailOverrides {
  extraFreemailDomains?: readonly string[];
  notFreemailDomains?: readonly string[];
}

/** `mail.eu.acme.co.uk` → `acme.co.uk`; null for a bare public suffix or an unlisted TLD. */
export function registrableDomain(domain: string): string | null {
  const parsed = psl.get(domain);
  return parsed ? parsed.toLowerCase() : null;
}

export function isFreemailDomain(domain: string, overrides: FreemailOverrides = {}): boolean {
  const registrable = registrableDomain(domain) ?? domain;
  const candidates = [domain, registrable];
  if (overrides.notFreemailDomains?.some((d) => candidates.includes(d))) {
    return false;
  }
  if (overrides.extraFreemailDomains?.some((d) => candidates.includes(d))) {
    return true;
  }
  return candidates.some((d) => FREEMAIL.has(d));
}

/** A readable default company name from its domain: `acme.co.uk` → `Acme`. */
export function companyNameFromDomain(domain: string): string {
  const registrable = registrableDomain(domain) ?? domain;
  const parsed = psl.parse(registrable);
  const label = 'sld' in parsed && parsed.sld ? parsed.sld : (registrable.split('.')[0] ?? domain);
  return label.charAt(0).toUpperCase() + label.slice(1);
}
