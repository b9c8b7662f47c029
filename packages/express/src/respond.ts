import { rejectionResponse } from '@org/auth-core/adapter';
import type { NextFunction, Request, Response } from 'express';

/** Answers a rejection as the request's `serviceAuth()` asked, or hands it to `next(err)`. */
export function reject(error: unknown, req: Request, res: Response, next: NextFunction): void {
  const response = res.headersSent ? undefined : rejectionResponse(error, req.authState);
  if (response === undefined) next(error);
  else res.status(response.status).set(response.headers).json(response.body);
}
