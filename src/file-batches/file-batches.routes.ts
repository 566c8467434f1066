/** Spec: File Batch (docs/file-batch.md). */
import {
  DateTime,
  Id,
  IdParams,
  Int,
  Nullable,
  Output,
  route,
  Success,
  Type,
} from '../platform/http/route-schema';

const count = () => Int(0, 2147483647);

export const FileBatchView = Output(
  {
    id: Id(),
    status: Type.String({ description: 'queued, processing, completed or failed' }),
    file_name: Type.String(),
    columns: Type.Array(Type.String()),
    rows: count(),
    processed: count(),
    approved: count(),
    declined: count(),
    errors: count(),
    progress: Int(0, 100, { description: 'whole percent of rows with a result' }),
    failure_reason: Type.String(),
    created_at: DateTime(),
    started_at: Nullable(DateTime()),
    completed_at: Nullable(DateTime()),
    updated_at: DateTime(),
  },
  { title: 'FileBatch' },
);

export const FILE_BATCH_ROUTES = {
  upload: route({
    summary: 'Upload a CSV (multipart/form-data, one file field); answers the queued batch',
    responses: { 200: Success(FileBatchView) },
    errors: [413],
    idempotent: true,
  }),
  status: route({
    summary: 'A file batch: status, counts and progress',
    params: IdParams,
    responses: { 200: Success(FileBatchView) },
    errors: [404],
  }),
  download: route({
    summary: 'The rows with their results as CSV (card and account numbers masked)',
    params: IdParams,
    responses: { 200: Type.String() },
    errors: [404],
    produces: 'text/csv',
  }),
};
