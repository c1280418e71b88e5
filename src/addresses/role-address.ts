import { localPartOf } from './address.ts';

/**
 * Role, no-reply and system senders never become people. Local parts are compared after
 * lower-casing and dropping a `+tag`; the exact list and patterns are configurable per workspace
 * (add local parts, or allow some back, e.g. a team that wants `sales@` of customers as people).
 */
export const DEFAULT_ROLE_LOCAL_PARTS: readonly string[] = [
  'abuse',
  'admin',
  'administrator',
  'alert',
  'alerts',
  'automated',
  'billing',
  'bounce',
  'bounces',
  'calendar',
  'careers',
  'contact',
  'daemon',
  'digest',
  'feedback',
  'help',
  'helpdesk',
  'hostmaster',
  'info',
  'invoice',
  'invoices',
  'jobs',
  'mailer',
  'mailer-daemon',
  'marketing',
  'news',
  'newsletter',
  'newsletters',
  'noc',
  'notification',
  'notifications',
  'notify',
  'office',
  'postmaster',
  'press',
  'privacy',
  'receipts',
  'root',
  'sales',
  'security',
  'service',
  'support',
  'system',
  'team',
  'updates',
  'webmaster',
];

/** Patterns that mark an address as automated wherever they occur in the local part. */
const AUTOMATED_PATTERNS: readonly RegExp[] = [
  /no[-_.]?reply/,
  /do[-_.]?not[-_.]?reply/,
  /dont[-_.]?reply/,
  /^mailer[-_.]?daemon/,
  /^postmaster/,
  /^bounces?([-_.+].*)?$/,
  /^notifications?([-_.].*)?$/,
  /([-_.])notifications?$/,
];

export interface RoleAddressOptions {
  extraRoleLocalParts?: readonly string[];
  allowedRoleLocalParts?: readonly string[];
}

export function isRoleAddress(address: string, options: RoleAddressOptions = {}): boolean {
  const local = localPartOf(address).toLowerCase().replace(/\+.*$/, '');
  if (options.allowedRoleLocalParts?.includes(local)) {
    return false;
  }
  if (AUTOMATED_PATTERNS.some((p) => p.test(local))) {
    return true;
  }
  return (
    DEFAULT_ROLE_LOCAL_PARTS.includes(local) ||
    (options.extraRoleLocalParts?.includes(local) ?? false)
  );
}
