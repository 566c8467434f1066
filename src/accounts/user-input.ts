/**
 * The Users section of the spec: create and update bodies, validated field by field.
 * Pure: no database, no clock.
 */
import { isValidTimeZone } from '../billing-calc/calendar';
import {
  Body,
  isAbsent,
  optionalBoolean,
  optionalEmail,
  optionalObject,
  optionalOneOf,
  optionalString,
  refuseUnknownFields,
  requiredString,
} from '../platform/http/input';
import { ValidationError } from '../platform/errors/errors';
import { assertPasswordPolicy } from './passwords';

export const USER_ROLES = ['admin', 'standard'] as const;
export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type UserStatus = (typeof USER_STATUSES)[number];

/** Spec: Update User, permissions.* (all booleans, default false). */
export const PERMISSION_NAMES = [
  'manage_users',
  'manage_api_keys',
  'manage_terminals',
  'manage_rule_engine',
  'view_settlement_batches',
  'view_billing_reports',
  'process_authorization',
  'process_capture',
  'process_sale',
  'process_void',
  'process_credit',
  'process_refund',
  'process_verification',
  'allow_dashboard_stats',
  'vault_create',
  'vault_update',
  'vault_delete',
  'access_file_batch',
  'view_others_transactions',
  'manage_card_bans',
  'restrict_viewing_others_invoices',
  'recurring_status_change',
] as const;

export const MERCHANT_NOTIFICATION_NAMES = [
  'transaction_receipts',
  'settlement_reports',
  'triggered_rules',
  'security_alerts',
  'invoice_create',
  'transaction_void',
] as const;

const DEFAULT_STRING_NAMES = [
  'processor_id',
  'terminal_id',
  'transaction_csv_format_id',
  'transaction_report_format_id',
  'vault_table_format_id',
] as const;

export interface UserProfile {
  name?: string;
  phone?: string;
  email?: string;
  timezone?: string;
  status?: UserStatus;
  role?: UserRole;
  permissions?: Record<string, boolean>;
  notifications?: Record<string, Record<string, boolean>>;
  defaults?: Record<string, string | boolean>;
}

export interface NewUserInput extends UserProfile {
  username: string;
  password: string;
}

/** Letters and digits only, with at least one of each (spec: "must contain alpha and numeric characters"). */
export function parseUsername(value: unknown, field = 'username'): string {
  const username = requiredString(value, field, { max: 64 });
  if (!/^[A-Za-z0-9]+$/.test(username) || !/[A-Za-z]/.test(username) || !/\d/.test(username)) {
    throw new ValidationError(field, 'must be letters and digits only, with at least one of each');
  }
  if (username.length < 3) throw new ValidationError(field, 'must be at least 3 characters');
  return username;
}

export function parseNewUser(body: Body): NewUserInput {
  refuseUnknownFields(body, [
    'username',
    'password',
    'name',
    'phone',
    'email',
    'timezone',
    'status',
    'role',
    'permissions',
    'notifications',
    'defaults',
  ]);
  const username = parseUsername(body.username);
  const password = assertPasswordPolicy('password', body.password);
  const profile = parseProfile(body);
  if (profile.name === undefined) throw new ValidationError('name', 'is required');
  return { username, password, ...profile };
}

export function parseUserUpdate(body: Body): UserProfile {
  if ('username' in body) {
    throw new ValidationError('username', 'cannot be changed: create a new user instead');
  }
  if ('password' in body) {
    throw new ValidationError('password', 'is changed with POST /api/user/change-password');
  }
  refuseUnknownFields(body, [
    'name',
    'phone',
    'email',
    'timezone',
    'status',
    'role',
    'permissions',
    'notifications',
    'defaults',
  ]);
  return parseProfile(body);
}

function parseProfile(body: Body): UserProfile {
  const out: UserProfile = {};
  const name = optionalString(body.name, 'name', { max: 100 });
  if (name !== undefined) {
    if (name === '') throw new ValidationError('name', 'must not be empty');
    out.name = name;
  }
  const phone = optionalString(body.phone, 'phone', {
    max: 20,
    pattern: /^\d+$/,
    patternText: 'digits only',
  });
  if (phone !== undefined) out.phone = phone;
  const email = optionalEmail(body.email, 'email');
  if (email !== undefined) out.email = email;
  const timezone = optionalString(body.timezone, 'timezone', { max: 64 });
  if (timezone !== undefined) {
    // The spec's example writes "ETC/UTC"; IANA names are matched case-insensitively for it.
    const canonical = timezone.toUpperCase() === 'ETC/UTC' ? 'Etc/UTC' : timezone;
    if (!isValidTimeZone(canonical)) {
      throw new ValidationError('timezone', 'must be an IANA time zone name such as "Etc/UTC"');
    }
    out.timezone = canonical;
  }
  const status = optionalOneOf(body.status, 'status', USER_STATUSES);
  if (status !== undefined) out.status = status;
  const role = optionalOneOf(body.role, 'role', USER_ROLES);
  if (role !== undefined) out.role = role;

  const permissions = optionalObject(body.permissions, 'permissions');
  if (permissions !== undefined) {
    refuseUnknownFields(permissions, PERMISSION_NAMES, 'permissions.');
    out.permissions = booleans(permissions, 'permissions.');
  }
  const notifications = optionalObject(body.notifications, 'notifications');
  if (notifications !== undefined) {
    refuseUnknownFields(notifications, ['merchant'], 'notifications.');
    const merchant = optionalObject(notifications.merchant, 'notifications.merchant');
    if (merchant !== undefined) {
      refuseUnknownFields(merchant, MERCHANT_NOTIFICATION_NAMES, 'notifications.merchant.');
      out.notifications = { merchant: booleans(merchant, 'notifications.merchant.') };
    } else {
      out.notifications = {};
    }
  }
  const defaults = optionalObject(body.defaults, 'defaults');
  if (defaults !== undefined) {
    refuseUnknownFields(
      defaults,
      [...DEFAULT_STRING_NAMES, 'show_transaction_totals'],
      'defaults.',
    );
    const parsed: Record<string, string | boolean> = {};
    for (const name of DEFAULT_STRING_NAMES) {
      const v = optionalString(defaults[name], `defaults.${name}`, { max: 64 });
      if (v !== undefined) parsed[name] = v;
    }
    const totals = optionalBoolean(
      defaults.show_transaction_totals,
      'defaults.show_transaction_totals',
    );
    if (totals !== undefined) parsed.show_transaction_totals = totals;
    out.defaults = parsed;
  }
  return out;
}

function booleans(obj: Body, prefix: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (isAbsent(v)) continue;
    const b = optionalBoolean(v, `${prefix}${k}`);
    if (b !== undefined) out[k] = b;
  }
  return out;
}
