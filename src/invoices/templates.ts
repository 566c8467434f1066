import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

/**
 * The directory holding the .hbs files. They live in src/invoices/templates and are not
 * copied by tsc, so from the compiled app (dist/src/invoices) we walk up to the project
 * root; from ts-node and jest they sit beside this file.
 */
export function templatesDirectory(): string {
  const candidates: string[] = [path.join(__dirname, 'templates')];
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    candidates.push(path.join(dir, 'src', 'invoices', 'templates'));
    dir = path.dirname(dir);
  }
  candidates.push(path.join(process.cwd(), 'src', 'invoices', 'templates'));
  const found = candidates.find((c) => existsSync(path.join(c, 'invoice-page.hbs')));
  if (!found) throw new Error(`invoice templates not found; looked in ${candidates.join(', ')}`);
  return found;
}

/**
 * Handlebars templates for the hosted pages and the emails. Views are prepared in code
 * (amounts already formatted), so templates only place strings; `{{ }}` escapes HTML, and
 * the .txt templates are compiled without escaping.
 */
export class InvoiceTemplates {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly directory = templatesDirectory()) {
    for (const partial of ['page-head', 'invoice-summary', 'email-summary', 'email-summary-text']) {
      this.hbs.registerPartial(partial, this.read(`partials/${partial}.hbs`));
    }
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }

  private read(name: string): string {
    return readFileSync(path.join(this.directory, name), 'utf8');
  }

  render(name: string, view: object): string {
    let template = this.cache.get(name);
    if (!template) {
      template = this.hbs.compile(this.read(name), {
        noEscape: name.endsWith('.txt.hbs'),
        strict: false,
      });
      this.cache.set(name, template);
    }
    return template(view);
  }
}
