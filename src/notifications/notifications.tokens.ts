/** The address mail is sent from: SMTP_URL's ?from=, or DEFAULT_FROM_ADDRESS. */
export const MAIL_FROM = Symbol('MAIL_FROM');
