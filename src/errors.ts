/**
 * Domain errors with stable codes. The CLI prints their message as its one-line error; the HTTP
 * layer will map codes to statuses in one place.
 */
export class MailroomError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends MailroomError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class InvalidInputError extends MailroomError {
  override readonly name = 'InvalidInputError';
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}
