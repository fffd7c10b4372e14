/**
 * Wire shapes of the Genie Conversation API (docs: genie-api.md). Optional everywhere the docs are
 * unsure: the reader tolerates missing fields instead of trusting them.
 */
export interface GenieTextAttachment {
  readonly id?: string;
  readonly content?: string;
  readonly purpose?: string;
}

export interface GenieQueryAttachment {
  readonly id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly query?: string;
  readonly statement_id?: string;
  readonly query_result_metadata?: { readonly row_count?: number; readonly is_truncated?: boolean };
  /** How Genie got to the query (newer API surface; absent on older workspaces). */
  readonly thoughts?: readonly GenieThought[];
}

/** THOUGHT_TYPE_DESCRIPTION, _UNDERSTANDING, _DATA_SOURCING (tables), _INSTRUCTIONS, _STEPS; content is markdown. */
export interface GenieThought {
  readonly thought_type?: string;
  readonly content?: string;
}

export interface GenieAttachment {
  readonly attachment_id?: string;
  readonly text?: GenieTextAttachment;
  readonly query?: GenieQueryAttachment;
  readonly suggested_questions?: { readonly questions?: readonly string[] };
}

export interface GenieMessage {
  readonly message_id?: string;
  /** Legacy duplicate of message_id. */
  readonly id?: string;
  readonly conversation_id?: string;
  readonly space_id?: string;
  readonly content?: string;
  readonly status?: string;
  readonly attachments?: readonly GenieAttachment[];
  readonly error?: { readonly error?: string; readonly type?: string };
  readonly created_timestamp?: number;
  readonly last_updated_timestamp?: number;
}

export interface StartConversationResponse {
  readonly conversation_id?: string;
  readonly message_id?: string;
  readonly conversation?: { readonly id?: string; readonly conversation_id?: string };
  readonly message?: GenieMessage;
}

export interface StatementColumn {
  readonly name?: string;
  readonly type_name?: string;
  readonly type_text?: string;
  readonly position?: number;
  readonly type_precision?: number;
  readonly type_scale?: number;
}

export interface StatementResponse {
  readonly statement_id?: string;
  readonly status?: { readonly state?: string; readonly error?: { readonly error_code?: string; readonly message?: string } };
  readonly manifest?: {
    readonly format?: string;
    readonly schema?: { readonly column_count?: number; readonly columns?: readonly StatementColumn[] };
    readonly total_row_count?: number;
    readonly total_chunk_count?: number;
    readonly truncated?: boolean;
  };
  readonly result?: {
    /** A full-result download (EXTERNAL_LINKS): presigned links to the files, one per chunk. */
    readonly external_links?: readonly ExternalLink[];
    readonly chunk_index?: number;
    readonly row_offset?: number;
    readonly row_count?: number;
    readonly data_array?: readonly (readonly (string | null)[])[];
    /** Pre-public-preview shape, still accepted. */
    readonly data_typed_array?: readonly { readonly values?: readonly { readonly str?: string }[] }[];
  };
}

/** One chunk of a full-result download: a presigned URL that must be fetched without an Authorization header. */
export interface ExternalLink {
  readonly chunk_index?: number;
  readonly row_offset?: number;
  readonly row_count?: number;
  readonly external_link?: string;
  /** ISO 8601 date-time after which the link no longer works. */
  readonly expiration?: string;
}

/** POST .../attachments/{att}/downloads answers with the id to poll and the signature that must come with it. */
export interface GenerateDownloadResponse {
  readonly download_id?: string;
  readonly download_id_signature?: string;
}

export interface GenieSpace {
  readonly space_id?: string;
  readonly title?: string;
  readonly description?: string;
  readonly warehouse_id?: string;
}

export type FeedbackRating = 'POSITIVE' | 'NEGATIVE' | 'NONE';

/** The Genie ids that identify one question, enough to resume waiting for it or to rate it. */
export interface GenieMessageRef {
  readonly spaceId: string;
  readonly conversationId: string;
  readonly messageId: string;
}

/** How a column's cells were decoded. */
export type ColumnKind = 'integer' | 'decimal' | 'float' | 'boolean' | 'date' | 'timestamp' | 'string';

export interface DecodedColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Databricks type_name as sent (DECIMAL, LONG, …). */
  readonly typeName: string;
  /** Digits after the decimal point for DECIMAL columns. */
  readonly scale?: number;
}

/**
 * One cell. integer: number, or bigint beyond 2^53; decimal: an exact plain decimal string
 * (never scientific notation, never rounded through a double); float: number; boolean; date and
 * timestamp: the ISO text as sent; string: as sent; null for SQL NULL.
 */
export type CellValue = string | number | bigint | boolean | null;

export interface DecodedTable {
  readonly columns: readonly DecodedColumn[];
  readonly rows: readonly (readonly CellValue[])[];
  /** Rows in the whole result, which may exceed rows.length when Genie cut it. */
  readonly totalRowCount: number;
  /** Genie returned only part of the result (it keeps at most 5,000 rows). */
  readonly truncated: boolean;
}

/** What the bot shows: Genie's words, the last query and its data, follow-ups. */
export interface GenieAnswer {
  readonly ref: GenieMessageRef;
  readonly status: string;
  readonly text?: string;
  /** Genie asks the user to clarify (FOLLOW_UP_QUESTION) instead of answering. */
  readonly clarification?: string;
  readonly query?: {
    readonly attachmentId: string;
    readonly title?: string;
    readonly description?: string;
    readonly sql?: string;
    readonly rowCount?: number;
    readonly truncated?: boolean;
    /** Genie's reasoning, in its order; only thoughts with content. */
    readonly thoughts?: readonly { readonly type: string; readonly content: string }[];
  };
  readonly suggestedQuestions: readonly string[];
  readonly table?: DecodedTable;
}
