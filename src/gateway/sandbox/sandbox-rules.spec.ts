import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { luhnValid } from '../../platform/logging/redact';
import { cardTypeOf } from '../payment-details/payment-details';
import { declineKindOf, RESPONSE_CODES, responseCode } from '../response-codes';
import {
  avsFor,
  cvvFor,
  decideSandboxOutcome,
  SANDBOX_ACH_ACCOUNTS,
  SANDBOX_APPROVING_CARDS,
  SANDBOX_OUTCOME_CARDS,
  SANDBOX_TEST_AMOUNTS,
  SandboxInput,
} from './sandbox-rules';

const sale = (number: string, amount = 1000, extra: Partial<SandboxInput> = {}): SandboxInput => ({
  type: 'sale',
  amount,
  method: { kind: 'card', number, cvc: null },
  billingAddress: null,
  allowPartialPayment: false,
  ...extra,
});

describe('sandbox rules', () => {
  it('lists only Luhn-valid test cards whose brand the BIN table agrees with', () => {
    for (const card of [...SANDBOX_APPROVING_CARDS, ...SANDBOX_OUTCOME_CARDS]) {
      expect({ number: card.number, luhn: luhnValid(card.number) }).toEqual({
        number: card.number,
        luhn: true,
      });
      expect(cardTypeOf(card.number)).toBe(card.brand);
    }
  });

  it('approves the approving cards in full', () => {
    for (const card of SANDBOX_APPROVING_CARDS) {
      expect(decideSandboxOutcome(sale(card.number, 1234))).toMatchObject({
        responseCode: 100,
        approvedAmount: 1234,
        respondLate: false,
      });
    }
  });

  it('declines 4000000000000002 as insufficient funds (soft) and 4000000000000028 as a lost card (hard)', () => {
    expect(decideSandboxOutcome(sale('4000000000000002'))).toMatchObject({
      responseCode: 202,
      approvedAmount: 0,
    });
    expect(declineKindOf(202)).toBe('soft');
    expect(decideSandboxOutcome(sale('4000000000000028')).responseCode).toBe(251);
    expect(declineKindOf(251)).toBe('hard');
  });

  it('partially approves half, only when partial payment is allowed, and only a charge', () => {
    expect(
      decideSandboxOutcome(sale('4000000000000077', 1001, { allowPartialPayment: true })),
    ).toMatchObject({ responseCode: 110, approvedAmount: 500 });
    expect(decideSandboxOutcome(sale('4000000000000077', 1000))).toMatchObject({
      responseCode: 202,
      approvedAmount: 0,
    });
    expect(
      decideSandboxOutcome(
        sale('4000000000000077', 0, { type: 'verification', allowPartialPayment: true }),
      ),
    ).toMatchObject({ responseCode: 100 });
  });

  it('approves and records the timeout card, but answers late', () => {
    expect(decideSandboxOutcome(sale('4000000000000119', 500))).toEqual(
      expect.objectContaining({ responseCode: 100, approvedAmount: 500, respondLate: true }),
    );
    expect(decideSandboxOutcome(sale('4111111111111111', 199900)).respondLate).toBe(true);
  });

  it('answers the test amounts on approving cards and accounts, but not on a verification', () => {
    expect(decideSandboxOutcome(sale('4111111111111111', 120200)).responseCode).toBe(202);
    expect(decideSandboxOutcome(sale('4111111111111111', 140000)).responseCode).toBe(400);
    expect(
      decideSandboxOutcome({
        ...sale('x', 125100),
        method: { kind: 'ach', accountNumber: '12345678' },
      }).responseCode,
    ).toBe(251);
    expect(
      decideSandboxOutcome(sale('4111111111111111', 0, { type: 'verification' })).responseCode,
    ).toBe(100);
    // A card's own outcome wins over the amount's.
    expect(decideSandboxOutcome(sale('4000000000000036', 120200)).responseCode).toBe(252);
    for (const [amount] of SANDBOX_TEST_AMOUNTS) expect(amount % 100).toBe(0);
  });

  it('declines the ACH test accounts and approves other accounts', () => {
    const ach = (accountNumber: string) =>
      decideSandboxOutcome({ ...sale('x'), method: { kind: 'ach', accountNumber } });
    expect(ach('9999999902')).toMatchObject({
      responseCode: 202,
      avsResponseCode: '',
      cvvResponseCode: '',
    });
    expect(ach('9999999920').responseCode).toBe(220);
    expect(ach('12345678').responseCode).toBe(100);
    expect([...SANDBOX_ACH_ACCOUNTS.keys()]).toHaveLength(2);
  });

  it('derives AVS and CVV codes', () => {
    expect(avsFor(null)).toBe('0');
    expect(avsFor({ address_line_1: '1 Main', postal_code: '60187' })).toBe('Y');
    expect(avsFor({ address_line_1: '1 Main', postal_code: '60187-1234' })).toBe('X');
    expect(avsFor({ postal_code: '60187' })).toBe('Z');
    expect(avsFor({ postal_code: '601871234' })).toBe('W');
    expect(avsFor({ address_line_1: '1 Main' })).toBe('A');
    expect(avsFor({ address_line_1: '1 Main', postal_code: '99999' })).toBe('N');
    expect(cvvFor(null)).toBe('P');
    expect(cvvFor('000')).toBe('N');
    expect(cvvFor('123')).toBe('M');
    expect(
      decideSandboxOutcome(
        sale('4000000000000051', 100, {
          method: { kind: 'card', number: '4000000000000051', cvc: '123' },
        }),
      ).cvvResponseCode,
    ).toBe('N');
  });

  it('is documented: docs/sandbox.md lists every test card, amount and account with its code', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/sandbox.md'), 'utf8');
    // Table rows as trimmed cells, whatever the column padding.
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const row = (needle: string) => (rows.find((r) => r[1] === `\`${needle}\``) ?? []).join(' | ');
    for (const card of [...SANDBOX_APPROVING_CARDS, ...SANDBOX_OUTCOME_CARDS]) {
      const line = row(card.number);
      expect({ card: card.number, documented: line !== '' }).toEqual({
        card: card.number,
        documented: true,
      });
      if ('code' in card.behaviour) expect(line).toContain(String(card.behaviour.code));
    }
    for (const [amount, behaviour] of SANDBOX_TEST_AMOUNTS) {
      const line = row(String(amount));
      expect({ amount, documented: line !== '' }).toEqual({ amount, documented: true });
      if ('code' in behaviour) expect(line).toContain(`${behaviour.code}`);
    }
    for (const [account, behaviour] of SANDBOX_ACH_ACCOUNTS) {
      expect(row(account)).toContain('code' in behaviour ? String(behaviour.code) : '');
    }
    for (const code of RESPONSE_CODES) {
      const kind = code.declineKind ?? '';
      const documented = rows.find((r) => r[1] === String(code.code));
      expect(documented?.slice(1, 4)).toEqual([String(code.code), code.text, kind]);
    }
    expect(responseCode(202).text).toBe('Insufficient funds');
  });
});

describe('a zero-amount verification checks the card, not the funds', () => {
  const verify = (number: string) =>
    decideSandboxOutcome(sale(number, 0, { type: 'verification' })).responseCode;

  it.each([
    ['4000000000000002', 'insufficient funds'],
    ['4000000000000010', 'do not honor'],
    ['4000000000000101', 'retry in a few days'],
    ['4000000000000093', 'a processor error'],
    ['4000000000000077', 'the partial-approval card'],
    ['4000000000000119', 'the late card, answered at once'],
  ])('verifies %s (%s), whose charges still decline', (number) => {
    expect(verify(number)).toBe(100);
    expect(decideSandboxOutcome(sale(number, 0, { type: 'verification' })).respondLate).toBe(false);
  });

  it.each([
    ['4000000000000028', 251],
    ['4000000000000036', 252],
    ['4000000000000044', 223],
    ['4000000000000051', 225],
    ['4000000000000069', 261],
    ['4000000000000085', 300],
  ])('fails the verification of %s (a hard decline: %i)', (number, code) => {
    expect(verify(number)).toBe(code);
  });

  it('still declines charges on the insufficient-funds card', () => {
    expect(decideSandboxOutcome(sale('4000000000000002', 1000)).responseCode).toBe(202);
  });
});
