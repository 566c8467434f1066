import { Api, createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/** Add-ons, discounts and plans: /api/recurring/addon[s], /discount[s], /plan[s]. */
describe('recurring catalog: add-ons, discounts and plans', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl, 'Europe/Berlin');
  });
  afterAll(async () => t.close());

  const ADJUSTMENT_KEYS = [
    'amount',
    'created_at',
    'description',
    'duration',
    'id',
    'name',
    'percentage',
    'updated_at',
  ];

  describe.each([
    { kind: 'add-on', one: 'addon', many: 'addons' },
    { kind: 'discount', one: 'discount', many: 'discounts' },
  ])('$kind catalog', ({ kind, one, many }) => {
    const path = `/api/recurring/${one}`;

    it(`creates a flat ${kind} from the spec's sample, shaped as the spec's response`, async () => {
      const res = await a.api.post(path, {
        name: 'test plan',
        description: 'just a simple test plan',
        amount: 100,
        duration: 0,
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('success');
      expect(Object.keys(res.body.data).sort()).toEqual(ADJUSTMENT_KEYS);
      expect(res.body.data).toMatchObject({
        name: 'test plan',
        description: 'just a simple test plan',
        amount: 100,
        percentage: null,
        duration: 0,
      });
      expect(res.body.data.id).toMatch(/^[0-9a-v]{20}$/);
      expect(res.body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const got = await a.api.get(`${path}/${res.body.data.id}`);
      expect(got.body).toEqual({ status: 'success', msg: 'success', data: res.body.data });
    });

    it(`creates a percentage ${kind} (thousandths) with defaults for the other fields`, async () => {
      const res = await a.api.post(path, { percentage: 43440 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        name: '',
        description: '',
        amount: null,
        percentage: 43440,
        duration: 0,
      });
      const zero = await a.api.post(path, { percentage: 0, duration: 3 });
      expect(zero.body.data).toMatchObject({ percentage: 0, duration: 3 });
    });

    it.each([
      [{ amount: 100, percentage: 1000 }, /either amount or percentage/],
      [{ name: 'nothing to add' }, /amount.*either amount or percentage is required/],
      [{ percentage: 50 }, /percentage: must be 0 or from 100 \(0\.1%\)/],
      [{ percentage: 100001 }, /percentage must not be above 100\.000%/],
      [{ amount: 1.5 }, /amount must be an integer number of cents/],
      [{ amount: '100' }, /amount must be an integer number of cents/],
      [{ amount: -5 }, /amount must not be negative/],
      [{ amount: 100, duration: -1 }, /duration/],
      [{ amount: 100, duration: 1.5 }, /duration/],
      [{ amount: 100, name: 42 }, /name must be a string/],
    ])(`refuses %j as a new ${kind} with a 400 naming the field`, async (body, message) => {
      const res = await a.api.post(path, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringMatching(message) });
    });

    it(`updates only the fields given; a percentage replaces the amount`, async () => {
      const created = await a.api.post(path, { name: 'before', description: 'kept', amount: 250 });
      const id = created.body.data.id;
      const res = await a.api.post(`${path}/${id}`, { name: 'after', percentage: 10000 });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        id,
        name: 'after',
        description: 'kept',
        amount: null,
        percentage: 10000,
        duration: 0,
      });
      const back = await a.api.post(`${path}/${id}`, { amount: 75, duration: 2 });
      expect(back.body.data).toMatchObject({ amount: 75, percentage: null, duration: 2 });
      const both = await a.api.post(`${path}/${id}`, { amount: 1, percentage: 1000 });
      expect(both.status).toBe(400);
    });

    it(`lists the merchant's ${many} with total_count, and pages them`, async () => {
      const res = await a.api.get(`/api/recurring/${many}`);
      expect(res.status).toBe(200);
      expect(res.body.total_count).toBe(res.body.data.length);
      expect(res.body.total_count).toBeGreaterThanOrEqual(3);
      const page = await a.api.get(`/api/recurring/${many}?limit=1&offset=1`);
      expect(page.body.data).toHaveLength(1);
      expect(page.body.data[0].id).toBe(res.body.data[1].id);
      expect(page.body.total_count).toBe(res.body.total_count);
      expect((await a.api.get(`/api/recurring/${many}?limit=0`)).status).toBe(400);
    });

    it(`deletes a ${kind} as the spec shows, after which it is gone`, async () => {
      const created = await a.api.post(path, { amount: 1 });
      const id = created.body.data.id;
      const res = await a.api.delete(`${path}/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'success', msg: 'success', data: null });
      expect((await a.api.get(`${path}/${id}`)).status).toBe(404);
      expect((await a.api.delete(`${path}/${id}`)).status).toBe(404);
      const listed = await a.api.get(`/api/recurring/${many}`);
      expect(listed.body.data.map((x: { id: string }) => x.id)).not.toContain(id);
    });

    it(`keeps one merchant from reading or changing another's ${many}`, async () => {
      const created = await a.api.post(path, { name: 'private', amount: 5 });
      const id = created.body.data.id;
      expect((await b.api.get(`${path}/${id}`)).status).toBe(404);
      expect((await b.api.post(`${path}/${id}`, { amount: 1 })).status).toBe(404);
      expect((await b.api.delete(`${path}/${id}`)).status).toBe(404);
      const listed = await b.api.get(`/api/recurring/${many}`);
      expect(listed.body.data.map((x: { id: string }) => x.id)).not.toContain(id);
      expect((await a.api.get(`${path}/${id}`)).body.data.amount).toBe(5);
    });
  });

  it('does not serve an add-on as a discount or the other way round', async () => {
    const addOn = await a.api.post('/api/recurring/addon', { amount: 100 });
    expect((await a.api.get(`/api/recurring/discount/${addOn.body.data.id}`)).status).toBe(404);
  });

  it('refuses the catalog to a public key', async () => {
    const res = await new Api(t.baseUrl, a.publicKey).get('/api/recurring/addons');
    expect(res.status).toBe(401);
  });

  describe('plans', () => {
    let addOnId: string;
    let discountId: string;

    beforeAll(async () => {
      const addOn = await a.api.post('/api/recurring/addon', {
        name: 'test_addon',
        description: 'this will add to the cost of the subscription',
        amount: 100,
      });
      const discount = await a.api.post('/api/recurring/discount', {
        name: 'test discount',
        description: 'just a simple test discount',
        amount: 100,
      });
      addOnId = addOn.body.data.id;
      discountId = discount.body.data.id;
    });

    const samplePlan = () => ({
      name: 'test plan',
      description: 'just a simple test plan',
      amount: 100,
      billing_cycle_interval: 1,
      billing_frequency: 'twice_monthly',
      billing_days: '1, 15',
      duration: 0,
      add_ons: [{ id: addOnId }],
      discounts: [
        {
          id: discountId,
          description: 'this will discount the cost of the subscription',
          amount: 50,
        },
      ],
    });

    it("creates the spec's sample plan and answers in the shape of its response", async () => {
      const res = await a.api.post('/api/recurring/plan', samplePlan());
      expect(res.status).toBe(200);
      const plan = res.body.data;
      expect(plan).toMatchObject({
        name: 'test plan',
        description: 'just a simple test plan',
        amount: 100,
        billing_cycle_interval: 1,
        billing_frequency: 'twice_monthly',
        billing_days: '1,15',
        total_add_ons: 100,
        total_discounts: 50,
        duration: 0,
        add_ons: [
          {
            id: addOnId,
            name: 'test_addon',
            description: 'this will add to the cost of the subscription',
            amount: 100,
            percentage: null,
            duration: 0,
            created_at: null,
            updated_at: null,
          },
        ],
        discounts: [
          {
            id: discountId,
            name: 'test discount',
            description: 'this will discount the cost of the subscription',
            amount: 50,
            percentage: null,
            duration: 0,
            created_at: null,
            updated_at: null,
          },
        ],
      });
      for (const key of [
        'id',
        'name',
        'description',
        'amount',
        'billing_cycle_interval',
        'billing_frequency',
        'billing_days',
        'total_add_ons',
        'total_discounts',
        'duration',
        'add_ons',
        'discounts',
        'created_at',
        'updated_at',
      ]) {
        expect(plan).toHaveProperty(key);
      }
      const got = await a.api.get(`/api/recurring/plan/${plan.id}`);
      expect(got.body.data).toEqual(plan);
      const listed = await a.api.get('/api/recurring/plans');
      expect(listed.body.total_count).toBe(listed.body.data.length);
      expect(listed.body.data.find((p: { id: string }) => p.id === plan.id)).toEqual(plan);
    });

    it('takes percentages of the plan amount, rounded half up, and every override', async () => {
      const percent = await a.api.post('/api/recurring/addon', { name: 'ten', percentage: 10000 });
      const res = await a.api.post('/api/recurring/plan', {
        name: 'percent plan',
        amount: 1995,
        billing_cycle_interval: 1,
        billing_days: '0',
        add_ons: [
          { id: percent.body.data.id },
          { id: addOnId, name: 'renamed', description: 'own words', amount: 30, duration: 3 },
        ],
      });
      expect(res.status).toBe(200);
      // 10% of 19.95 is 1.995, rounded half up to 2.00; plus the 0.30 override.
      expect(res.body.data).toMatchObject({
        billing_frequency: 'monthly',
        billing_days: '0',
        total_add_ons: 230,
        total_discounts: 0,
        discounts: null,
      });
      expect(res.body.data.add_ons[1]).toMatchObject({
        id: addOnId,
        name: 'renamed',
        description: 'own words',
        amount: 30,
        duration: 3,
      });
      // The catalog item itself is unchanged.
      expect((await a.api.get(`/api/recurring/addon/${addOnId}`)).body.data.name).toBe(
        'test_addon',
      );
    });

    it.each([
      [{ name: '' }, /name/],
      [{ name: null }, /name/],
      [{ amount: null }, /amount/],
      [{ amount: 10.5 }, /amount/],
      [{ billing_frequency: 'weekly' }, /billing_frequency/],
      [{ billing_cycle_interval: 0 }, /billing_cycle_interval/],
      [{ billing_cycle_interval: '1' }, /billing_cycle_interval/],
      [{ billing_days: '1' }, /billing_days must be two days/],
      [{ billing_days: '1,32' }, /billing_days/],
      [{ billing_frequency: 'monthly', billing_days: '1,15' }, /billing_days must be exactly one/],
      [{ billing_days: '30,0' }, /billing_days/],
      [{ duration: -2 }, /duration/],
      [{ charge_on_day: 'yes' }, /charge_on_day/],
      [{ add_ons: [{ id: 'nosuchaddon000000000' }] }, /add_ons\[0\]\.id: add-on nosuch/],
      [{ add_ons: 'x' }, /add_ons: must be an array/],
      [{ add_ons: [{}] }, /add_ons\[0\]\.id: is required/],
    ])('refuses a plan with %j: 400 naming the field', async (change, message) => {
      const res = await a.api.post('/api/recurring/plan', { ...samplePlan(), ...change });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(message);
    });

    it('refuses a discount listed among the add-ons, and an id listed twice', async () => {
      const wrongKind = await a.api.post('/api/recurring/plan', {
        ...samplePlan(),
        add_ons: [{ id: discountId }],
      });
      expect(wrongKind.status).toBe(400);
      expect(wrongKind.body.msg).toMatch(/add_ons\[0\]\.id/);
      const twice = await a.api.post('/api/recurring/plan', {
        ...samplePlan(),
        discounts: [{ id: discountId }, { id: discountId }],
      });
      expect(twice.status).toBe(400);
      expect(twice.body.msg).toMatch(/discounts\[1\]\.id: .* more than once/);
    });

    it('updates only the fields given and replaces add-ons and discounts when given', async () => {
      const created = (await a.api.post('/api/recurring/plan', samplePlan())).body.data;
      const renamed = await a.api.post(`/api/recurring/plan/${created.id}`, { name: 'renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.data).toMatchObject({
        name: 'renamed',
        amount: 100,
        billing_frequency: 'twice_monthly',
        billing_days: '1,15',
        total_add_ons: 100,
        total_discounts: 50,
      });
      const monthly = await a.api.post(`/api/recurring/plan/${created.id}`, {
        billing_frequency: 'monthly',
        billing_days: '31',
        billing_cycle_interval: 3,
        add_ons: [],
      });
      expect(monthly.body.data).toMatchObject({
        billing_frequency: 'monthly',
        billing_days: '31',
        billing_cycle_interval: 3,
        add_ons: null,
        total_add_ons: 0,
        total_discounts: 50,
      });
      const bad = await a.api.post(`/api/recurring/plan/${created.id}`, {
        billing_frequency: 'twice_monthly',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/billing_days/);
    });

    it('deletes a plan as the spec shows', async () => {
      const created = (await a.api.post('/api/recurring/plan', samplePlan())).body.data;
      const res = await a.api.delete(`/api/recurring/plan/${created.id}`);
      expect(res.body).toEqual({ status: 'success', msg: 'success', data: null });
      expect((await a.api.get(`/api/recurring/plan/${created.id}`)).status).toBe(404);
      const listed = await a.api.get('/api/recurring/plans');
      expect(listed.body.data.map((p: { id: string }) => p.id)).not.toContain(created.id);
    });

    it("keeps one merchant from reading, changing or using another's plans and catalog", async () => {
      const created = (await a.api.post('/api/recurring/plan', samplePlan())).body.data;
      expect((await b.api.get(`/api/recurring/plan/${created.id}`)).status).toBe(404);
      expect((await b.api.post(`/api/recurring/plan/${created.id}`, { amount: 1 })).status).toBe(
        404,
      );
      expect((await b.api.delete(`/api/recurring/plan/${created.id}`)).status).toBe(404);
      expect((await b.api.get('/api/recurring/plans')).body.total_count).toBe(0);
      const borrowing = await b.api.post('/api/recurring/plan', samplePlan());
      expect(borrowing.status).toBe(400);
      expect(borrowing.body.msg).toMatch(/add_ons\[0\]\.id: add-on .* does not exist/);
      expect((await a.api.get(`/api/recurring/plan/${created.id}`)).body.data.amount).toBe(100);
    });
  });
});
