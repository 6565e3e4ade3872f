// Sessions' output kept on disk, read back and searched: the pipe writer tmux feeds,
// the rotated log files, text rendering, the FTS5 index and search.
export {
  LOG_FILE,
  LOG_PARTS,
  BASE_FILE,
  outputDir,
  createOutputLocator,
  trashedOutputDir,
  moveOutputToTrash,
  restoreOutputFromTrash,
  deleteOutput,
  openLogSnapshot,
  type LogSnapshot,
  type LogPart,
} from './files.js';
export { outputLogPipe, startOutputLog, stopOutputLog, writerCommand, WRITER_NAME, LOG_PATH_OPTION, type StartOutputLogOptions } from './writer.js';
export { readOutput, DEFAULT_PAGE_BYTES, MAX_PAGE_BYTES, type ReadOutputOptions, type OutputPage } from './read.js';
export { renderLine, renderLines, toText, type TextLine } from './text.js';
export { parseSearchQuery, MAX_QUERY_LENGTH, type SearchQuery, type QueryTerm } from './query.js';
export { createOutputIndexer, type OutputIndexer, type OutputIndexerDeps } from './indexer.js';
export {
  createOutputSearch,
  type OutputSearch,
  type OutputSearchHit,
  type OutputMatch,
  type SearchOutputInput,
} from './search.js';
