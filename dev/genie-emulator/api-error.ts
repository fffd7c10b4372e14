/** The error_code Databricks sends with each status, when a fault or handler names none. */
export function defaultErrorCode(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_PARAMETER_VALUE';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'RESOURCE_DOES_NOT_EXIST';
    case 409:
      return 'RESOURCE_CONFLICT';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 501:
      return 'NOT_IMPLEMENTED';
    case 503:
      return 'TEMPORARILY_UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
  }
}

/** A Databricks REST error: answered as `{error_code, message}` with `status`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode: string = defaultErrorCode(status),
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, `${what} ${id} does not exist.`, 'RESOURCE_DOES_NOT_EXIST');
}

export function invalid(message: string): ApiError {
  return new ApiError(400, message, 'INVALID_PARAMETER_VALUE');
}
