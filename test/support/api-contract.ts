/**
 * Checks every answer the e2e suites receive against the OpenAPI document (src/platform/http/
 * openapi.ts, built from the route declarations): the route must be documented and declared
 * with route-schema.ts, the status must be one of its documented responses, the content type
 * one that status documents (an HTML page, a PDF, the JSON envelope), and a JSON body must
 * match that response's schema, which allows no undocumented field. The document is loaded
 * once per test file, from the app under test. Used by the Api client and checkedFetch of
 * test-app.ts, so every suite is checked, the hosted pages included.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  declared: boolean;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  validators: Map<string, ValidateFunction>;
}

interface Contract {
  operations: Operation[];
  ajv: Ajv2020;
  components: Record<string, unknown>;
}

const contracts = new Map<string, Promise<Contract>>();

/**
 * The document itself is not in the document (/docs, /docs-json: Swagger UI's own pages and
 * assets). Every other route is, /health and /metrics included.
 */
const UNCHECKED = [/^\/docs(\/|-json|$)/];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function inlineRefs(schema: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, components));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: string }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    return inlineRefs(components[ref.slice('#/components/schemas/'.length)], components);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inlineRefs(v, components)]));
}

async function loadContract(baseUrl: string): Promise<Contract> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (!res.ok) throw new Error(`the OpenAPI document could not be loaded: ${res.status}`);
  const doc = (await res.json()) as {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('date', /^\d{4}-\d\d-\d\d$/);
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue;
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)))
        .join('');
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        params: (template.match(/\{/g) ?? []).length,
        declared: 'x-rebill-auth' in op,
        responses: op.responses as Operation['responses'],
        validators: new Map(),
      });
    }
  }
  // A literal path wins over a template that also matches (/subscription/status vs /{id}).
  operations.sort((a, b) => a.params - b.params);
  return { operations, ajv, components: doc.components?.schemas ?? {} };
}

export function contractFor(baseUrl: string): Promise<Contract> {
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = loadContract(baseUrl);
    contracts.set(baseUrl, contract);
  }
  return contract;
}

/** Throws when the answer is not what the document says the route answers. */
export async function checkAgainstContract(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  status: number,
  contentType: string | null,
  body: unknown,
): Promise<void> {
  const path = pathAndQuery.split('?')[0];
  if (UNCHECKED.some((p) => p.test(path))) return;
  const contract = await contractFor(baseUrl);
  const operation = contract.operations.find((o) => o.method === method && o.pattern.test(path));
  const where = `${method} ${path}`;
  if (!operation) {
    // Unknown routes answer 404 (or 400 for a body that could not be parsed).
    if (status === 404 || status === 400) return;
    throw new Error(`API contract: ${where} answered ${status} but is not in the OpenAPI document`);
  }
  if (!operation.declared) {
    throw new Error(
      `API contract: ${where} (${operation.template}) is not declared with src/platform/http/route-schema.ts`,
    );
  }
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) {
    throw new Error(
      `API contract: ${where} (${operation.template}) answered ${status}, which the document does not list (it lists ${Object.keys(operation.responses).join(', ')}); body: ${JSON.stringify(body)?.slice(0, 500)}`,
    );
  }
  const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
  const documented = Object.keys(response.content ?? {});
  if (mediaType !== '' && !documented.includes(mediaType)) {
    throw new Error(
      `API contract: ${where} (${operation.template}) answered ${status} with ${mediaType}, which the document does not list for it (${documented.join(', ') || 'no body'})`,
    );
  }
  if (mediaType !== 'application/json') return;
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) {
    throw new Error(
      `API contract: ${where} answered ${status} with JSON, documented without a schema`,
    );
  }
  const key = String(status);
  let validate = operation.validators.get(key);
  if (!validate) {
    validate = contract.ajv.compile(inlineRefs(schema, contract.components) as object);
    operation.validators.set(key, validate);
  }
  if (!validate(body)) {
    const problems = (validate.errors ?? [])
      .slice(0, 5)
      .map(
        (e) =>
          `${e.instancePath || '(root)'} ${e.message}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`,
      )
      .join('; ');
    throw new Error(
      `API contract: ${where} (${operation.template}) answered ${status} with a body the document does not describe: ${problems}; body: ${JSON.stringify(body)?.slice(0, 500)}`,
    );
  }
}
