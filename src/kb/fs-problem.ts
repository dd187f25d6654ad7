// A file-system failure in the words a founder reads: what went wrong with the path, not the
// syscall's name (`ENOENT … scandir`).

const REASONS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file of that name is in the way',
  EISDIR: 'it is a folder, not a file',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the disk',
};

export function fsErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why an operation on a path failed, in a few plain words. */
export function fsReason(error: unknown): string {
  const code = fsErrorCode(error);
  return (code && REASONS[code]) ?? (code ? code.toLowerCase() : (error as Error).message);
}
