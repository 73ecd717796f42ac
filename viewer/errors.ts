// The errors a request can end with: a bad parameter (400) or something that is not in the dump (404). Routes
// throw them; app.ts renders them as an error page or, under /api, as {"error": ...}, and the server stays up.

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

export function notFound(message: string): HttpError {
  return new HttpError(404, message);
}
