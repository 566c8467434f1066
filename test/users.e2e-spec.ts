import { Api, createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const PASSWORD = 'Sup3r-secret!';

describe('users, roles and JWT (spec: Users, Headers)', () => {
  let t: TestApp;
  let anonymous: Api;
  let a: TestMerchant;
  let b: TestMerchant;
  let seq = 0;

  const newUsername = () => `user${Date.now().toString(36)}${++seq}x9`;

  async function createUser(m: TestMerchant, extra: Record<string, unknown> = {}) {
    const username = newUsername();
    const res = await m.api.post('/api/user', {
      username,
      name: 'Jane Doe',
      phone: '6305555555',
      email: 'jane@example.com',
      timezone: 'America/Chicago',
      password: PASSWORD,
      role: 'standard',
      ...extra,
    });
    expect(res.status).toBe(200);
    return { id: res.body.data.id as string, username, body: res.body };
  }

  async function login(username: string, password = PASSWORD) {
    return anonymous.post('/api/token-auth', { username, password });
  }

  async function tokenFor(username: string): Promise<string> {
    const res = await login(username);
    expect(res.status).toBe(200);
    return res.body.data.token;
  }

  const bearer = (token: string) => anonymous.withKey(`Bearer ${token}`);

  async function keyFor(token: string): Promise<string> {
    const res = await bearer(token).post('/api/user/apikey', { type: 'api', name: 'k' });
    expect(res.status).toBe(200);
    return res.body.data.api_key;
  }

  beforeAll(async () => {
    t = await startTestApp();
    anonymous = new Api(t.baseUrl);
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
  });
  afterAll(async () => {
    t.clock.reset();
    await t.close();
  });

  describe('create, read, list, update, delete', () => {
    it('creates a user shaped as in the spec, never returning the password', async () => {
      const { id, username, body } = await createUser(a);
      expect(body.status).toBe('success');
      expect(body.data).toEqual({
        id,
        username,
        name: 'Jane Doe',
        phone: '6305555555',
        email: 'jane@example.com',
        timezone: 'America/Chicago',
        status: 'active',
        role: 'standard',
        account_type: 'merchant',
        account_type_id: a.id,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(JSON.stringify(body)).not.toContain(PASSWORD);
      const got = await a.api.get(`/api/user/${id}`);
      expect(got.body.data).toEqual(body.data);
    });

    it('lists the merchant’s users with total_count, never another merchant’s', async () => {
      const { id } = await createUser(a);
      const res = await a.api.get('/api/users');
      expect(res.status).toBe(200);
      expect(res.body.total_count).toBe(res.body.data.length);
      const ids = res.body.data.map((u: { id: string }) => u.id);
      expect(ids).toContain(id);
      expect(ids).toContain(a.userId);
      expect(ids).not.toContain(b.userId);
      expect((await b.api.get(`/api/user/${id}`)).status).toBe(404);
      expect((await b.api.post(`/api/user/${id}`, { name: 'x' })).status).toBe(404);
      expect((await b.api.delete(`/api/user/${id}`)).status).toBe(404);
    });

    it.each([
      [{ username: 'onlyletters' }, /invalid username: must be letters and digits/],
      [{ username: 'with space1' }, /invalid username/],
      [{ password: 'short1!A'.slice(0, 7) }, /invalid password: must be 8 to 64 characters/],
      [{ password: 'nouppercase1!' }, /invalid password: must contain an uppercase/],
      [{ password: 'NoDigits!!' }, /invalid password: must contain a number/],
      [{ password: 'NoSpecial123' }, /invalid password: must contain a special character/],
      [{ password: `A1!${'x'.repeat(62)}` }, /invalid password: must be 8 to 64/],
      [{ email: 'not-an-email' }, /invalid email/],
      [{ phone: '630-555' }, /invalid phone: must be digits only/],
      [{ role: 'owner' }, /invalid role: must be one of "admin", "standard"/],
      [{ status: 'paused' }, /invalid status/],
      [{ timezone: 'Mars/Base' }, /invalid timezone/],
      [{ permissions: { fly: true } }, /invalid permissions.fly: is not a known field/],
      [
        { permissions: { process_sale: 'yes' } },
        /invalid permissions.process_sale: must be true or false/,
      ],
      [{ nickname: 'x' }, /invalid nickname: is not a known field/],
    ])('refuses %j naming the field, creating nothing', async (override, message) => {
      const before = (await a.api.get('/api/users')).body.total_count;
      const res = await a.api.post('/api/user', {
        username: newUsername(),
        name: 'N',
        password: PASSWORD,
        ...override,
      });
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('failed');
      expect(res.body.msg).toMatch(message);
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect((await a.api.get('/api/users')).body.total_count).toBe(before);
    });

    it('refuses a username already taken (in any merchant, any case) with 409', async () => {
      const { username } = await createUser(a);
      const again = await b.api.post('/api/user', {
        username: username.toUpperCase(),
        name: 'N',
        password: PASSWORD,
      });
      expect(again.status).toBe(409);
      expect(again.body.msg).toMatch(/already taken/);
    });

    it('updates profile, permissions and defaults; username and password are refused', async () => {
      const { id } = await createUser(a);
      const res = await a.api.post(`/api/user/${id}`, {
        name: 'Jane Q. Doe',
        timezone: 'ETC/UTC',
        permissions: { process_sale: true },
        notifications: { merchant: { settlement_reports: true } },
        defaults: { show_transaction_totals: true },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ name: 'Jane Q. Doe', timezone: 'Etc/UTC' });
      const bad = await a.api.post(`/api/user/${id}`, { username: 'other1' });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/username/);
      const badPassword = await a.api.post(`/api/user/${id}`, { password: PASSWORD });
      expect(badPassword.status).toBe(400);
      expect(badPassword.body.msg).toMatch(/change-password/);
      expect((await a.api.get(`/api/user/${id}`)).body.data.name).toBe('Jane Q. Doe');
    });

    it('deletes a user as the spec answers; it is then unknown and its username is free', async () => {
      const { id, username } = await createUser(a);
      const res = await a.api.delete(`/api/user/${id}`);
      expect(res.body).toEqual({ status: 'success', msg: 'successfully deleted', data: null });
      expect((await a.api.get(`/api/user/${id}`)).status).toBe(404);
      expect((await a.api.delete(`/api/user/${id}`)).status).toBe(404);
      const reused = await a.api.post('/api/user', { username, name: 'N', password: PASSWORD });
      expect(reused.status).toBe(200);
    });

    it('keeps at least one active admin: the last admin cannot be demoted, disabled or deleted', async () => {
      const m = await createMerchant(t.baseUrl);
      for (const change of [{ role: 'standard' }, { status: 'disabled' }]) {
        const res = await m.api.post(`/api/user/${m.userId}`, change);
        expect(res.status).toBe(409);
        expect(res.body.msg).toMatch(/at least one active admin/);
      }
      expect((await m.api.delete(`/api/user/${m.userId}`)).status).toBe(409);
      expect((await m.api.get('/api/user')).body.data.role).toBe('admin');
    });
  });

  describe('roles', () => {
    it('a standard user reads and edits only itself, and manages only its own keys', async () => {
      const std = await createUser(a);
      const other = await createUser(a);
      const token = await tokenFor(std.username);
      const me = bearer(token);
      expect((await me.get(`/api/user/${std.id}`)).status).toBe(200);
      const forbidden = [
        await me.get(`/api/user/${other.id}`),
        await me.get('/api/users'),
        await me.post('/api/user', { username: newUsername(), name: 'N', password: PASSWORD }),
        await me.post(`/api/user/${other.id}`, { name: 'hijack' }),
        await me.post(`/api/user/${std.id}`, { role: 'admin' }),
        await me.post(`/api/user/${std.id}`, { status: 'disabled' }),
        await me.delete(`/api/user/${other.id}`),
      ];
      for (const res of forbidden) {
        expect(res.status).toBe(403);
        expect(res.body.msg).toMatch(/forbidden/);
      }
      expect((await a.api.get(`/api/user/${other.id}`)).body.data.name).toBe('Jane Doe');
      expect((await me.post(`/api/user/${std.id}`, { name: 'Myself' })).body.data.name).toBe(
        'Myself',
      );

      // Keys: only its own are listed and deletable; the admin's key stays.
      const ownKey = await keyFor(token);
      const keys = await me.get('/api/user/apikeys');
      expect(keys.body.data.every((k: { user_id: string }) => k.user_id === std.id)).toBe(true);
      const adminKeys = (await a.api.get('/api/user/apikeys')).body.data;
      const adminKeyId = adminKeys.find((k: { user_id: string }) => k.user_id === a.userId).id;
      expect((await me.delete(`/api/user/apikey/${adminKeyId}`)).status).toBe(404);
      expect((await a.api.get('/api/user')).status).toBe(200);
      expect((await me.delete(`/api/user/apikey/${encodeURIComponent(ownKey)}`)).body.status).toBe(
        'success',
      );
    });
  });

  describe('token-auth and Bearer JWTs', () => {
    it('issues a short-lived JWT accepted wherever a private key is', async () => {
      const { id, username } = await createUser(a, { role: 'admin' });
      const res = await login(username);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 900,
        user: { id, username, role: 'admin' },
      });
      const token = res.body.data.token;
      const current = await bearer(token).get('/api/user');
      expect(current.body.data.id).toBe(id);
      // A private-key route: users and API keys, and the gateway.
      expect((await bearer(token).get('/api/users')).status).toBe(200);
      expect((await bearer(token).get('/api/user/apikeys')).status).toBe(200);
      const search = await bearer(token).post('/api/transaction/search', {});
      expect(search.status).toBe(200);
      // But not the partner endpoint.
      const partner = await bearer(token).post('/api/partner/merchants', { name: 'x' });
      expect(partner.status).toBe(401);
    });

    it('refuses a wrong password and an unknown username alike, and a missing field by name', async () => {
      const { username } = await createUser(a);
      const wrong = await login(username, 'Wrong-pass1!');
      const unknown = await login('nobody12345', PASSWORD);
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.msg).toMatch(/invalid username or password/);
      const missing = await anonymous.post('/api/token-auth', { username });
      expect(missing.status).toBe(400);
      expect(missing.body.msg).toMatch(/invalid password: is required/);
    });

    it('an expired token is refused with 401 saying it expired', async () => {
      const { username } = await createUser(a);
      const token = await tokenFor(username);
      expect((await bearer(token).get('/api/user')).status).toBe(200);
      t.clock.advance(901 * 1000);
      try {
        const res = await bearer(token).get('/api/user');
        expect(res.status).toBe(401);
        expect(res.body.msg).toMatch(/token has expired/);
      } finally {
        t.clock.reset();
      }
    });

    it('a tampered token is refused with 401 saying so', async () => {
      const { username } = await createUser(a);
      const token = await tokenFor(username);
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      // Claim another merchant's user with the original signature.
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: b.userId, mid: b.id })).toString(
        'base64url',
      );
      for (const bad of [
        `${header}.${forged}.${signature}`,
        `${header}.${payload}.${signature.slice(0, -2)}AA`,
        // alg "none"
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${forged}.`,
      ]) {
        const res = await bearer(bad).get('/api/user');
        expect(res.status).toBe(401);
        expect(res.body.msg).toMatch(/token is invalid.*tampered/);
      }
    });

    it('rate-limits failed logins per username (429), and a success after the window works', async () => {
      const { username } = await createUser(a);
      for (let i = 0; i < 5; i++) expect((await login(username, 'Wrong-pass1!')).status).toBe(401);
      const blocked = await login(username);
      expect(blocked.status).toBe(429);
      expect(blocked.body.msg).toMatch(
        /too many failed logins for this username; try again in \d+ seconds/,
      );
      t.clock.advance(15 * 60 * 1000 + 1000);
      try {
        expect((await login(username)).status).toBe(200);
      } finally {
        t.clock.reset();
      }
    });
  });

  describe('change password', () => {
    it('changes the calling user’s password, revoking its earlier tokens', async () => {
      const { username } = await createUser(a);
      const token = await tokenFor(username);
      const next = 'N3w-passw0rd#';
      const bad = await bearer(token).post('/api/user/change-password', {
        username,
        current_password: 'Not-it-1!',
        new_password: next,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/invalid current_password/);
      const weak = await bearer(token).post('/api/user/change-password', {
        username,
        current_password: PASSWORD,
        new_password: 'weakpassword',
      });
      expect(weak.status).toBe(400);
      expect(weak.body.msg).toMatch(/invalid new_password/);
      expect((await login(username)).status).toBe(200);

      const res = await bearer(token).post('/api/user/change-password', {
        username,
        current_password: PASSWORD,
        new_password: next,
      });
      expect(res.status).toBe(200);
      const old = await bearer(token).get('/api/user');
      expect(old.status).toBe(401);
      expect(old.body.msg).toMatch(/revoked.*password has changed/);
      expect((await login(username)).status).toBe(401);
      expect((await login(username, next)).status).toBe(200);
    });

    it('only for the caller’s own username', async () => {
      const { username } = await createUser(a);
      const res = await a.api.post('/api/user/change-password', {
        username,
        current_password: PASSWORD,
        new_password: 'An0ther-pass!',
      });
      expect(res.status).toBe(403);
      expect((await login(username)).status).toBe(200);
    });

    it('a merchant’s first user (no password yet) sets one with an empty current_password, then logs in', async () => {
      const m = await createMerchant(t.baseUrl);
      const me = (await m.api.get('/api/user')).body.data;
      const res = await m.api.post('/api/user/change-password', {
        username: me.username,
        current_password: '',
        new_password: PASSWORD,
      });
      expect(res.status).toBe(200);
      expect((await login(me.username)).status).toBe(200);
    });
  });

  describe('a disabled or deleted user is locked out on the very next request', () => {
    // Each check authenticates first (so any cache of authenticated credentials is warm),
    // then changes the user, then expects the very next request to be refused.
    it('disabling refuses its API keys and tokens at once; enabling again restores the keys', async () => {
      const { id, username } = await createUser(a);
      const token = await tokenFor(username);
      const key = await keyFor(token);
      const viaKey = anonymous.withKey(key);
      expect((await viaKey.get('/api/user')).status).toBe(200);
      expect((await bearer(token).get('/api/user')).status).toBe(200);

      expect((await a.api.post(`/api/user/${id}`, { status: 'disabled' })).status).toBe(200);
      const keyAfter = await viaKey.get('/api/user');
      expect(keyAfter.status).toBe(401);
      const tokenAfter = await bearer(token).get('/api/user');
      expect(tokenAfter.status).toBe(401);
      expect(tokenAfter.body.msg).toMatch(/revoked: its user is disabled/);
      expect((await login(username)).status).toBe(401);

      expect((await a.api.post(`/api/user/${id}`, { status: 'active' })).status).toBe(200);
      expect((await viaKey.get('/api/user')).status).toBe(200);
    });

    it('deleting refuses its API keys and tokens at once, for good', async () => {
      const { id, username } = await createUser(a);
      const token = await tokenFor(username);
      const key = await keyFor(token);
      const viaKey = anonymous.withKey(key);
      expect((await viaKey.get('/api/user/apikeys')).status).toBe(200);
      expect((await bearer(token).get('/api/user/apikeys')).status).toBe(200);

      expect((await a.api.delete(`/api/user/${id}`)).status).toBe(200);
      expect((await viaKey.get('/api/user/apikeys')).status).toBe(401);
      const tokenAfter = await bearer(token).get('/api/user/apikeys');
      expect(tokenAfter.status).toBe(401);
      expect(tokenAfter.body.msg).toMatch(/revoked: its user has been deleted/);
      const keys = (await a.api.get('/api/user/apikeys')).body.data;
      expect(keys.some((k: { user_id: string }) => k.user_id === id)).toBe(false);
    });
  });

  // Last: it exhausts this client address's allowance of failed logins.
  it('rate-limits failed logins per client address across usernames', async () => {
    let res;
    let attempts = 0;
    do {
      res = await login(`nobody${attempts}x1`, 'Wrong-pass1!');
      attempts++;
    } while (res.status === 401 && attempts < 40);
    expect(res.status).toBe(429);
    expect(res.body.msg).toMatch(/client address/);
    expect(attempts).toBeLessThanOrEqual(21);
  });
});
